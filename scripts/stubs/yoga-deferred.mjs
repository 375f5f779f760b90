// Stands in for yoga-layout's entry in the single file. The real entry awaits
// the WebAssembly at its top level, which a classic script (the form V8's
// code cache works with on every Node version, see scripts/launcher-core.cjs)
// cannot hold. Here the wasm starts loading when the module is first
// initialised and `ready` settles once it is there; the default export is a
// live binding that is undefined until then. Ink only touches Yoga inside
// functions (creating nodes, layout), never while its modules initialise, and
// source/ui/yoga-ready.ts awaits `ready` before the cockpit renders.
import {loadYoga} from 'yoga-layout/load';

let Yoga;
export {Yoga as default};
export * from 'yoga-layout/load';
export const ready = loadYoga().then(loaded => {
	Yoga = loaded;
});
