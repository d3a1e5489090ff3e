// A command-line process that runs a real disk copy job the way a phyllo command does (runJob: progress
// lines on stderr, Ctrl-C cancels), for the SIGINT integration test.
// Usage: node copy-job-cli.js URI SOURCE-PATH POOL TARGET-NAME
import { runJob } from '../../src/cli/job-progress.js';
import { printError, processStreams } from '../../src/cli/output.js';
import { startJob } from '../../src/jobs/job.js';
import { connect } from '../../src/libvirt/index.js';
import { copyDiskSparse } from '../../src/machines/disk-copy.js';

const [uri, source, pool, name] = process.argv.slice(2) as [string, string, string, string];
const lv = await connect(uri);
let code = 0;
try {
  // Through libvirt's streams: a local copy is `cp --sparse=always`, which turns the source's written
  // zeros into holes and ends before a progress report; the stream moves every byte through this process.
  const job = startJob('disk copy', (ctx) =>
    copyDiskSparse(lv, source, { pool, name }, ctx, { via: 'stream' }),
  );
  const r = await runJob(job, { progress: process.stderr, isTTY: false, json: false });
  process.stdout.write(`copied ${r.dataBytes}\n`);
} catch (err) {
  code = printError(err, false, processStreams);
} finally {
  await lv.close();
}
process.exit(code);
