// Team mode's settings: where the team meets (a Redis URL), the session's
// name there, and the name this member shows. Flags first, then the
// environment, then the checklist's frontmatter (`deploycockpit: {team:
// {redis: ENV_VAR_NAME, sentinels, master, name}}`: it names the variable
// that holds the URL, never the URL). The URL (with any ACL user and
// password) is kept in memory only: nothing here is written to disk.
import {readFileSync} from 'node:fs';
import {hostname, userInfo} from 'node:os';
import {splitFrontmatter} from '../checklist/frontmatter.js';

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

/** The frontmatter's `team:` mapping (what a checklist says about its team). */
export interface TeamFrontmatter {
	/** The NAME of the environment variable that holds the Redis URL. */
	redis?: unknown;
	/** "host:port,host:port" or a list of "host:port". */
	sentinels?: unknown;
	/** Sentinel's master name (default mymaster). */
	master?: unknown;
	/** The team session's name (--session and DEPLOYCOCKPIT_SESSION win). */
	name?: unknown;
}

/**
 * The checklist's `deploycockpit: {team: …}`, read before the checklist is
 * loaded (the commands decide on team mode first). Cheap for every other
 * file: YAML is parsed only when the frontmatter mentions `team:`.
 */
export function teamFrontmatter(file: string): TeamFrontmatter | undefined {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
	if (!/^---[ \t]*\n/.test(text)) return undefined;
	const end = text.search(/\n(?:---|\.\.\.)[ \t]*(?:\n|$)/);
	if (end < 0 || !/^\s+team\s*:/m.test(text.slice(0, end))) return undefined;
	const team = (splitFrontmatter(text).settings as {team?: unknown}).team;
	return team && typeof team === 'object' && !Array.isArray(team) ? (team as TeamFrontmatter) : undefined;
}

function parseSentinels(list: unknown): Array<{host: string; port: number}> | undefined {
	const items = Array.isArray(list) ? list.map(String) : typeof list === 'string' ? list.split(',') : [];
	const out = items
		.map(hp => hp.trim())
		.filter(Boolean)
		.map(hp => {
			const [host, port] = hp.split(':');
			return {host: host || '127.0.0.1', port: Number(port) || 26379};
		});
	return out.length ? out : undefined;
}

/** undefined: no team mode (nothing of Redis is loaded). Throws on a half-given setting. */
export function teamConfig(
	values: {team?: string; session?: string; as?: string; offline?: boolean},
	env: NodeJS.ProcessEnv = process.env,
	frontmatter?: TeamFrontmatter,
): TeamConfig | undefined {
	let url = values.team || env.DEPLOYCOCKPIT_TEAM;
	if (!url && frontmatter?.redis !== undefined) {
		const name = String(frontmatter.redis);
		if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`the checklist's frontmatter team.redis must name an environment variable that holds the Redis URL (the URL is never written in the checklist), not "${name.replace(/\/\/[^@/]*@/, '//…@')}"`);
		url = env[name];
		if (!url) throw new Error(`the checklist joins a team (frontmatter team.redis: ${name}) but ${name} is not set: export ${name}=redis://… (or rediss://)`);
	}
	if (!url) {
		if (values.session && !env.DEPLOYCOCKPIT_TEAM) throw new Error('--session names a team session: give --team URL too (or DEPLOYCOCKPIT_TEAM)');
		return undefined;
	}
	if (!/^rediss?:\/\//.test(url)) throw new Error(`--team: expected a redis:// or rediss:// URL`);
	const session = values.session || env.DEPLOYCOCKPIT_SESSION || (frontmatter?.name !== undefined ? String(frontmatter.name) : undefined);
	if (!session) throw new Error('team mode needs a session name: --session NAME (or DEPLOYCOCKPIT_SESSION, or team.name in the frontmatter)');
	const sentinels = parseSentinels(env.DEPLOYCOCKPIT_TEAM_SENTINELS) ?? parseSentinels(frontmatter?.sentinels);
	const master = env.DEPLOYCOCKPIT_TEAM_MASTER ?? (frontmatter?.master !== undefined ? String(frontmatter.master) : 'mymaster');
	return {
		url,
		session,
		as: values.as ?? env.DEPLOYCOCKPIT_AS ?? defaultName(),
		...(env.DEPLOYCOCKPIT_TEAM_KEY ? {key: env.DEPLOYCOCKPIT_TEAM_KEY} : {}),
		offline: values.offline ?? false,
		...(sentinels ? {sentinels, master} : {}),
	};
}
