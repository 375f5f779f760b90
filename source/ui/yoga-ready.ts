// Ink's layout engine, yoga, instantiates its WebAssembly asynchronously. In
// the per-file build yoga-layout awaits that at its top level, so importing it
// is enough. The single file is compiled as a classic script (so V8's code
// cache can be used on every Node version, see scripts/launcher-core.cjs), which
// cannot await at the top level: there yoga-layout is a shim
// (scripts/stubs/yoga-deferred.mjs) whose `ready` settles once the wasm is
// loaded, and nothing may render before it has.
export async function yogaReady(): Promise<void> {
	const yoga = (await import('yoga-layout')) as unknown as {ready?: Promise<unknown>};
	await yoga.ready;
}
