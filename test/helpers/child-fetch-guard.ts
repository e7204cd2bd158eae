// Preloaded (--import) into each `stopzone` process runCli starts: the child's fetch, and so each feed download and
// redirect hop, is held to loopback as startTestServer's is (test/helpers/loopback-guard.ts).
import { guardFetch } from './loopback-guard.js';

guardFetch();
