// The entry of the detached runner's own program in the single file
// (dist/deploycockpit.mjs, built by scripts/bundle.mjs): what a run loads,
// ~0.3 MB of the file's 1.8 MB, with no UI and no markdown. The launcher
// (scripts/launcher-core.cjs) runs it for `node deploycockpit.mjs --runner`
// and for `node launcher-core.cjs FILE --runner`, never for a user's
// arguments. The per-file build (tests) runs dist/engine/runner.js instead.
import './engine/runner.js';
