import {randomBytes} from 'node:crypto';
import {hostname, userInfo} from 'node:os';
import {basename} from 'node:path';

/** user@host recorded on every run and mark. */
export function whoAmI(): string {
	let user = process.env.USER || process.env.LOGNAME || '';
	if (!user) {
		try {
			user = userInfo().username;
		} catch {
			user = 'unknown';
		}
	}
	return `${user}@${hostname()}`;
}

function stamp(date: Date): string {
	return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function slug(text: string, max = 32): string {
	return (
		text
			.toLowerCase()
			.replace(/\.[a-z0-9]+$/, '')
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '')
			.slice(0, max) || 'x'
	);
}

export function newSessionId(file: string, now = new Date()): string {
	return `${slug(basename(file))}-${stamp(now)}-${randomBytes(2).toString('hex')}`;
}

export function newRunId(stepId: string, now = new Date()): string {
	return `${stamp(now)}-${slug(stepId, 40)}-${randomBytes(2).toString('hex')}`;
}
