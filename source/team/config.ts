// Team mode's settings: where the team meets (a Redis URL), the session's
// name there, and the name this member shows. Flags first, then the
// environment. The URL (with any ACL user and password) is kept in memory
// only: nothing here is written to disk.
import {hostname, userInfo} from 'node:os';

export interface TeamConfig {
	url: string;
	session: string;
	as: string;
	/** DEPLOYCOCKPIT_TEAM_KEY: seal every value written to Redis. */
	key?: string;
	/** `run --offline`: run a step whose claim cannot be taken (the link is down). */
	offline: boolean;
	/** Sentinel: "host:port,host:port" and the master's name (DEPLOYCOCKPIT_TEAM_SENTINELS / _MASTER). */
	sentinels?: Array<{host: string; port: number}>;
	master?: string;
}

/** The flags every command that joins a team takes (merged into its parseArgs options). */
export const teamFlags = {
	team: {type: 'string'},
	session: {type: 'string'},
	as: {type: 'string'},
	offline: {type: 'boolean'},
} as const;

export const teamHelp = `Team mode (docs/team.md):
  --team URL        join a team session over Redis (redis://, rediss://; env DEPLOYCOCKPIT_TEAM)
  --session NAME    the team session's name (env DEPLOYCOCKPIT_SESSION)
  --as NAME         the name the team sees (env DEPLOYCOCKPIT_AS; default user@host)
  --offline         (run) run even when the step cannot be claimed because Redis is unreachable`;

function defaultName(): string {
	let user = process.env.USER || process.env.LOGNAME || '';
	try {
		user ||= userInfo().username;
	} catch {
		user ||= 'unknown';
	}
	return `${user}@${hostname()}`;
}

/** undefined: no team mode (nothing of Redis is loaded). Throws on a half-given setting. */
export function teamConfig(values: {team?: string; session?: string; as?: string; offline?: boolean}, env: NodeJS.ProcessEnv = process.env): TeamConfig | undefined {
	const url = values.team ?? env.DEPLOYCOCKPIT_TEAM;
	if (!url) {
		if (values.session && !env.DEPLOYCOCKPIT_TEAM) throw new Error('--session names a team session: give --team URL too (or DEPLOYCOCKPIT_TEAM)');
		return undefined;
	}
	if (!/^rediss?:\/\//.test(url)) throw new Error(`--team: expected a redis:// or rediss:// URL`);
	const session = values.session ?? env.DEPLOYCOCKPIT_SESSION;
	if (!session) throw new Error('team mode needs a session name: --session NAME (or DEPLOYCOCKPIT_SESSION)');
	const sentinels = env.DEPLOYCOCKPIT_TEAM_SENTINELS?.split(',').filter(Boolean).map(hp => {
		const [host, port] = hp.trim().split(':');
		return {host: host || '127.0.0.1', port: Number(port) || 26379};
	});
	return {
		url,
		session,
		as: values.as ?? env.DEPLOYCOCKPIT_AS ?? defaultName(),
		...(env.DEPLOYCOCKPIT_TEAM_KEY ? {key: env.DEPLOYCOCKPIT_TEAM_KEY} : {}),
		offline: values.offline ?? false,
		...(sentinels?.length ? {sentinels, master: env.DEPLOYCOCKPIT_TEAM_MASTER ?? 'mymaster'} : {}),
	};
}
