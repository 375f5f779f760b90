// Failed writes of the session's own files (state.json, audit.jsonl): a full
// disk is the one the engineer can act on, so it is recognised by its code.

export function isDiskFull(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	return code === 'ENOSPC' || code === 'EDQUOT';
}

export function errorCode(error: unknown): {code?: string} {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	return code ? {code} : {};
}
