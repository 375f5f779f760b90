// What the single-file build (dist/deploycockpit.mjs, scripts/bundle.mjs)
// carries inside itself, because next to a copied file there is no
// package.json, themes/ folder or checklist/ sources to read. esbuild
// replaces the global below with a constant; in the per-file build (tsc,
// tests) it does not exist and the files on disk are read as before.
export interface BundledAssets {
	version: string;
	/** The built-in themes by name (themes/NAME.json). */
	themes: Record<string, Record<string, unknown>>;
	/** A hash of the checklist parser's sources when the bundle was built. */
	parserStamp: string;
}

declare const __DEPLOYCOCKPIT_BUNDLED__: BundledAssets | undefined;

export const bundled: BundledAssets | undefined = typeof __DEPLOYCOCKPIT_BUNDLED__ === 'undefined' ? undefined : __DEPLOYCOCKPIT_BUNDLED__;
