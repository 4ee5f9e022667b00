// A loopback DICOMweb STOW-RS peer for the bench, in its own process so its parsing does not load the
// daemon's event loop: answers 200 listing every SOP Instance UID it received. Prints its port.
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const uids = [...new Set([...Buffer.concat(chunks).toString('latin1').matchAll(/2\.25\.\d+/g)].map((m) => m[0]))];
    res.writeHead(200, { 'content-type': 'application/dicom+json' });
    res.end(JSON.stringify({ '00081199': { vr: 'SQ', Value: uids.map((u) => ({ '00081155': { vr: 'UI', Value: [u] } })) } }));
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), 10 * 60 * 1000).unref();
