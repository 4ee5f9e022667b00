import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { OrthancServer, type OrthancInfo, orthancAvailable } from './helpers/orthanc.js';

declare module 'vitest' {
  export interface ProvidedContext {
    orthanc: OrthancInfo | null;
  }
}

/** One shared Orthanc for the whole run (tests that kill a PACS start their own). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!orthancAvailable) {
    console.warn('Orthanc with the DICOMweb plugin is not installed (apt-get install orthanc orthanc-dicomweb): PACS tests will skip');
    project.provide('orthanc', null);
    return async () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'sonoedge-orthanc-'));
  const server = await OrthancServer.create(dir);
  project.provide('orthanc', server.info);
  return async () => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  };
}
