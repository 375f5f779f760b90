// Every value the cockpit writes to Redis goes through a Sealer. With
// DEPLOYCOCKPIT_TEAM_KEY it is AES-256-GCM (encrypted and authenticated);
// without one it is the plain text (masked before it gets here). The key is
// derived with scrypt from the env value and a salt of the session's key
// prefix, so the same secret gives another key in another session.
import {createCipheriv, createDecipheriv, randomBytes, scryptSync} from 'node:crypto';

const PREFIX = 'g1:';

export class WrongTeamKey extends Error {}

export interface Sealer {
	readonly encrypted: boolean;
	seal(text: string): string;
	/** Throws WrongTeamKey when the value was sealed with another key, or sealed while this one is plain (and back). */
	open(value: string): string;
}

export function makeSealer(secret: string | undefined, salt: string): Sealer {
	if (!secret) {
		return {
			encrypted: false,
			seal: text => text,
			open: value => {
				if (value.startsWith(PREFIX)) throw new WrongTeamKey('the team\'s values are encrypted: set DEPLOYCOCKPIT_TEAM_KEY to the key the other members use');
				return value;
			},
		};
	}
	const key = scryptSync(secret, `deploycockpit-team:${salt}`, 32);
	return {
		encrypted: true,
		seal(text) {
			const iv = randomBytes(12);
			const cipher = createCipheriv('aes-256-gcm', key, iv);
			const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
			return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
		},
		open(value) {
			if (!value.startsWith(PREFIX)) throw new WrongTeamKey('the team\'s values are not encrypted but DEPLOYCOCKPIT_TEAM_KEY is set: unset it, or start a new team session with the key on every member');
			const raw = Buffer.from(value.slice(PREFIX.length), 'base64');
			try {
				const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
				decipher.setAuthTag(raw.subarray(12, 28));
				return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
			} catch {
				throw new WrongTeamKey('DEPLOYCOCKPIT_TEAM_KEY does not match the key the team\'s values were written with (wrong key)');
			}
		},
	};
}
