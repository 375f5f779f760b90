// Stands in for Ink's devtools.js in the bundle: Ink imports it only when
// DEV=true (for react-devtools-core, which the bundle does not hold) and
// explains a missing module, so this fails like one. It also keeps ws and
// Ink's window polyfill out of the file.
throw Object.assign(new Error("Cannot find package 'react-devtools-core' (not part of the deploycockpit bundle)"), {code: 'ERR_MODULE_NOT_FOUND'});
