import PDFDocument from 'pdfkit';
import { REPORT_FONTS } from './fonts.js';
import type { ReportModel, ReportRow } from './report-model.js';

export interface Thumbnail {
  caption: string;
  png: Buffer;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 40;
/** Kept free at the bottom of every page for the decision-support footer. */
const FOOTER_SPACE = 60;
const COLS = [0, 140, 235, 325] as const;
const WARN = '#9a1c1c';

/**
 * Lays the report out on A4 with DejaVu Sans embedded. One page for a usual exam; more captures than
 * fit continue on a next page rather than being left out, and every page carries the footer. `moreImages`:
 * the reviewed captures whose image the caller left off (said in one line under the images).
 */
export function renderReportPdf(model: ReportModel, thumbnails: Thumbnail[], moreImages = 0): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_SPACE },
    bufferPages: true,
    font: REPORT_FONTS.regular,
    info: { Title: model.title, Creator: 'sonoedge', Producer: 'sonoedge' },
    compress: true,
  });
  doc.registerFont('regular', REPORT_FONTS.regular);
  doc.registerFont('bold', REPORT_FONTS.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const inner = A4.width - 2 * MARGIN;
  const bottom = (): number => doc.page.height - doc.page.margins.bottom;
  const ensure = (h: number): void => {
    if (doc.y + h > bottom()) doc.addPage();
  };

  doc.font('bold').fontSize(16).text(model.title, MARGIN, MARGIN, { width: inner });
  doc.moveDown(0.5);
  // patient and exam side by side
  const top = doc.y;
  const pairs = (title: string, lines: Array<[string, string]>, x: number, w: number): number => {
    doc.x = x;
    doc.y = top;
    doc.font('bold').fontSize(10).text(title, x, doc.y, { width: w });
    for (const [k, v] of lines) {
      doc.font('regular').fontSize(9).fillColor('#555555').text(model.labelled(k), x, doc.y, { width: w, continued: true }).fillColor('black').font('bold').text(v);
    }
    return doc.y;
  };
  const yPatient = pairs(model.labels.patient, model.patient, MARGIN, inner / 2 - 10);
  const yExam = pairs(model.labels.exam, model.exam, MARGIN + inner / 2, inner / 2);
  doc.y = Math.max(yPatient, yExam) + 10;
  doc
    .moveTo(MARGIN, doc.y)
    .lineTo(MARGIN + inner, doc.y)
    .strokeColor('#999999')
    .lineWidth(0.5)
    .stroke();
  doc.moveDown(0.6);

  const row = (r: ReportRow | [string, string, string, string], header = false): void => {
    const cells = Array.isArray(r) ? r : [r.label, r.ai, r.final, r.decision];
    const widths = COLS.map((c, i) => (COLS[i + 1] ?? inner) - c - 6);
    doc.font(header ? 'bold' : 'regular').fontSize(8.5);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i] })));
    ensure(h + 3);
    const y = doc.y;
    cells.forEach((c, i) => {
      const warn = !header && !Array.isArray(r) && r.unverified && i === 3;
      doc
        .font(header || warn ? 'bold' : 'regular')
        .fillColor(warn ? WARN : 'black')
        .text(c, MARGIN + COLS[i]!, y, { width: widths[i] });
    });
    doc.fillColor('black');
    doc.x = MARGIN;
    doc.y = y + h + 3;
  };
  for (const c of model.captures) {
    ensure(40);
    doc.font('bold').fontSize(10).text(c.heading, MARGIN, doc.y, { width: inner });
    doc.moveDown(0.2);
    if (c.rows.length === 0) doc.font('regular').fontSize(9).text(model.labels.noMeasurements, { width: inner });
    else row(model.labels.columns, true);
    for (const r of c.rows) row(r);
    doc.moveDown(0.5);
  }
  if (model.captures.length === 0) doc.font('regular').fontSize(9).text(model.labels.noCaptures, MARGIN, doc.y, { width: inner });

  if (model.growth.length > 0) {
    ensure(40);
    doc.moveDown(0.3).font('bold').fontSize(10).text(model.labels.growth, MARGIN, doc.y, { width: inner });
    for (const g of model.growth) doc.font('regular').fontSize(9).text(g, { width: inner });
    doc.moveDown(0.5);
  }

  if (thumbnails.length > 0) {
    const w = (inner - 3 * 10) / 4;
    const h = w * 0.75;
    ensure(h + 30);
    doc.font('bold').fontSize(10).text(model.labels.thumbnails, MARGIN, doc.y, { width: inner });
    doc.moveDown(0.2);
    thumbnails.forEach((t, i) => {
      if (i % 4 === 0 && i > 0) doc.y += h + 16;
      if (i % 4 === 0) ensure(h + 16);
      const x = MARGIN + (i % 4) * (w + 10);
      const y = doc.y;
      doc.image(t.png, x, y, { fit: [w, h], align: 'center', valign: 'center' });
      doc
        .font('regular')
        .fontSize(7.5)
        .text(t.caption, x, y + h + 2, { width: w, align: 'center' });
      doc.y = y;
    });
    doc.y += h + 16;
  }
  if (moreImages > 0) {
    ensure(20);
    doc.font('regular').fontSize(9).fillColor('black').text(`+${moreImages} ${model.labels.moreImages}`, MARGIN, doc.y, { width: inner });
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // writing inside the bottom margin must not open a new page
    const keep = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN - FOOTER_SPACE + 14;
    doc
      .moveTo(MARGIN, y - 6)
      .lineTo(MARGIN + inner, y - 6)
      .strokeColor('#999999')
      .lineWidth(0.5)
      .stroke();
    doc.font('bold').fontSize(8.5).fillColor('black').text(model.footer, MARGIN, y, { width: inner });
    doc
      .font('regular')
      .fontSize(7.5)
      .fillColor('#555555')
      .text(`${model.labels.page} ${i + 1}/${range.count}`, MARGIN, doc.page.height - MARGIN + 4, { width: inner, align: 'right' });
    doc.page.margins.bottom = keep;
  }
  doc.end();
  return done;
}
