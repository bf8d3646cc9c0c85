/**
 * The young generation of the language server's isolates. V8's default
 * semi-space grows to 16 MB and is kept: a long-lived server that allocates
 * in bursts (one lint per edit, a few MB that die at once) holds a third of
 * its resident memory there. 4 MB semi-spaces cost no measurable time (README,
 * Performance). V8 reads the flag when it creates the heap, so it is given on
 * the command line: by bin/sevlint-language-server's first line
 * (`#!/usr/bin/env -S node --max-semi-space-size=4`, kept equal to
 * SERVER_NODE_FLAGS by a test), and by the VS Code client when it starts the
 * bundled server. Worker threads get it as `resourceLimits`.
 */

export const SEMI_SPACE_MB = 4;

/** For a worker thread's `resourceLimits`: V8's young generation is three semi-spaces (two, and as much for large new objects). */
export const YOUNG_GENERATION_MB = 3 * SEMI_SPACE_MB;

/** The node flags the server is started with. */
export const SERVER_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${SEMI_SPACE_MB}`];
