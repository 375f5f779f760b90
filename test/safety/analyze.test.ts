import {describe, expect, it} from 'vitest';
import type {Block, Step} from '../../source/checklist/model.js';
import {dangerousIn, expandKnown, fillPlaceholders, fillStep, placeholdersIn, preflight, unsetVarsIn} from '../../source/safety/analyze.js';

function block(code: string, executor: Block['executor'] = 'shell', lang = executor === 'shell' ? 'bash' : (executor ?? 'text')): Block {
	return {lang, executor, line: 10, code, inline: false};
}

function reasons(code: string, executor: Block['executor'] = 'shell', extra: string[] = []): string[] {
	return dangerousIn(block(code, executor), extra).map(f => f.reason);
}

// [command, expected reason] — each must be flagged with exactly that reason among its findings.
const mustFlag: Array<[string, string]> = [
	['rm -rf /var/lib/app/cache', 'rm -rf'],
	['rm -fr build', 'rm -rf'],
	['rm -r -f build', 'rm -rf'],
	['rm --recursive --force build', 'rm -rf'],
	['rm -Rf "$BACKUP_DIR"', 'rm -rf'],
	['sudo rm -rf /opt/old', 'rm -rf'],
	['sudo -u deploy rm -rf /srv/x', 'rm -rf'],
	['/bin/rm -rf x', 'rm -rf'],
	['\\rm -rf x', 'rm -rf'],
	['cd /tmp && rm -rf staging', 'rm -rf'],
	['test -d old && rm -rf old || echo gone', 'rm -rf'],
	['find /tmp -name "*.tmp" | xargs rm -rf', 'rm -rf'],
	['find /var/tmp -mtime +7 -exec rm -rf {} \\;', 'rm -rf'],
	['find /var/tmp -mtime +7 -delete', 'find -delete'],
	['echo "$(rm -rf /tmp/x)"', 'rm -rf'],
	['if true; then rm -rf old; fi', 'rm -rf'],
	['for d in a b; do rm -rf "$d"; done', 'rm -rf'],
	['timeout 10 rm -rf /data/x', 'rm -rf'],
	['env FOO=1 rm -rf x', 'rm -rf'],
	['DIR=/x rm -rf "$DIR"', 'rm -rf'],
	['bash -c "rm -rf /srv/old"', 'rm -rf'],
	["sh -c 'kubectl delete pod web-1'", 'kubectl delete'],
	['ssh -i key.pem deploy@host "sudo rm -rf /srv/app"', 'rm -rf'],
	['eval "rm -rf $TARGET"', 'rm -rf'],
	['kill $PID', 'kill'],
	['kill -9 $(cat app.pid)', 'kill'],
	['kill -TERM 1234', 'kill'],
	['pkill -f worker', 'pkill'],
	['killall nginx', 'killall'],
	['kubectl delete pod web-1', 'kubectl delete'],
	['kubectl -n prod delete deployment api', 'kubectl delete'],
	['kubectl --context prod-eu delete ns tmp', 'kubectl delete'],
	['kubectl exec web-1 -- rm -rf /cache', 'rm -rf'],
	['helm uninstall api -n prod', 'helm uninstall'],
	['git reset --hard origin/main', 'git reset --hard'],
	['git -C /srv/app reset --hard HEAD~1', 'git reset --hard'],
	['git clean -fdx', 'git clean -f'],
	['git push --force origin main', 'git push --force'],
	['redis-cli FLUSHALL', 'FLUSHALL'],
	['redis-cli -h 127.0.0.1 -p 6380 flushdb', 'FLUSHDB'],
	['redis-cli -n 2 FLUSHDB ASYNC', 'FLUSHDB'],
	['redis-cli <<EOF\nFLUSHALL\nEOF', 'FLUSHALL'],
	['dd if=/dev/zero of=/dev/sdb bs=1M', 'dd'],
	['sudo dd if=image.iso of=/dev/sdc', 'dd'],
	['mkfs.ext4 /dev/sdb1', 'mkfs'],
	['mkfs -t xfs /dev/sdc', 'mkfs'],
	['wipefs -a /dev/sdb', 'wipefs'],
	['truncate -s 0 /var/log/app.log', 'truncate (empties files)'],
	['psql -c "DROP TABLE users"', 'DROP TABLE'],
	['psql "$DATABASE_URL" -c "DELETE FROM sessions"', 'DELETE without WHERE'],
	['psql --command="TRUNCATE audit_log"', 'TRUNCATE'],
	['mysql -e "UPDATE accounts SET active = 0" shop', 'UPDATE without WHERE'],
	['sqlite3 app.db "DROP INDEX idx_users_email;"', 'DROP INDEX'],
	["psql <<'SQL'\nBEGIN;\nDELETE FROM carts;\nCOMMIT;\nSQL", 'DELETE without WHERE'],
	['psql -v ON_ERROR_STOP=1 <<SQL\nDROP SCHEMA staging CASCADE;\nSQL', 'DROP SCHEMA'],
	['sudo -u postgres psql -d app -c "DROP DATABASE app_old"', 'DROP DATABASE'],
	['DROP TABLE legacy;', 'DROP TABLE'],
];

const mustNotFlag: string[] = [
	"echo 'do not rm -rf anything'",
	'echo "never run rm -rf /"',
	'printf "%s\\n" "kill the old process later"',
	'# rm -rf /var/lib/app',
	'# DROP TABLE users',
	'rm -f /tmp/maintenance_mode',
	'rm old.log',
	'rm -r empty-dir',
	'ls -rf',
	'curl -X DELETE https://api.example.test/v1/cache',
	'curl -s http://127.0.0.1:8080/health',
	'kill -0 $PID',
	'kill -l',
	'kubectl get pods -n prod',
	'kubectl describe deployment delete-me',
	'kubectl logs deploy/api --since=5m',
	'git reset HEAD~1',
	'git reset --soft HEAD~1',
	'git log --oneline | head',
	'git push origin main',
	'redis-cli GET feature:new_checkout',
	'redis-cli -h 127.0.0.1 INFO keyspace',
	'grep -r "rm -rf" scripts/',
	'grep -c "DROP TABLE" migrations/*.sql',
	'cat > notes.md <<EOF\nrm -rf is not used here\nDROP TABLE nothing\nEOF',
	'psql -c "SELECT count(*) FROM users"',
	'psql -c "DELETE FROM sessions WHERE expires_at < now()"',
	'psql -c "UPDATE accounts SET active = false WHERE id = 42"',
	'mysqldump shop > backup.sql',
	'pg_dump -Fc app > app.dump',
	'echo "rm -rf $(pwd)/build would be bad"',
	"awk '{ print $1 }' access.log | sort | uniq -c",
	'sqlite3 "$BACKUP_FILE" "PRAGMA integrity_check;"',
	'ddtrace-run python app.py',
	'docker compose ps',
	'systemctl status nginx',
	'killall_helper --dry-run',
	'git status',
	'echo FLUSHALL',
	'echo ok # rm -rf / in a trailing comment',
];

describe('dangerousIn — shell blocks', () => {
	it.each(mustFlag)('flags %s', (code, reason) => {
		expect(reasons(code)).toContain(reason);
	});

	it.each(mustNotFlag)('does not flag %s', code => {
		expect(reasons(code)).toEqual([]);
	});

	it('gives the exact command and its line, one finding per command', () => {
		const code = 'echo start\ncd /srv\nrm -rf ./old-release  # cleanup\necho done';
		const findings = dangerousIn(block(code));
		expect(findings).toEqual([{command: 'rm -rf ./old-release', reason: 'rm -rf', line: 13}]);
	});

	it('finds several dangerous commands in one block', () => {
		expect(reasons('kill $(cat app.pid)\nrm -rf /tmp/app\ngit reset --hard')).toEqual(['kill', 'rm -rf', 'git reset --hard']);
	});

	it('an inline command reports its own line', () => {
		const f = dangerousIn({lang: '', executor: 'shell', line: 7, code: 'pkill -f worker', inline: true});
		expect(f[0]).toMatchObject({line: 7, reason: 'pkill'});
	});
});

const sqlFlag: Array<[string, string]> = [
	['DROP TABLE users;', 'DROP TABLE'],
	['drop database shop', 'DROP DATABASE'],
	['DROP SCHEMA IF EXISTS tmp CASCADE;', 'DROP SCHEMA'],
	['DROP INDEX CONCURRENTLY idx_a;', 'DROP INDEX'],
	['DROP MATERIALIZED VIEW daily_totals;', 'DROP MATERIALIZED VIEW'],
	['TRUNCATE orders;', 'TRUNCATE'],
	['truncate table orders restart identity;', 'TRUNCATE'],
	['DELETE FROM sessions;', 'DELETE without WHERE'],
	['delete from sessions', 'DELETE without WHERE'],
	['DELETE FROM a WHERE id IN (SELECT id FROM b WHERE x = 1) ;', ''],
	['UPDATE users SET plan = (SELECT plan FROM defaults WHERE id = 1);', 'UPDATE without WHERE'],
	['UPDATE users SET active = true WHERE 1=1;', 'UPDATE with an always-true WHERE'],
	['WITH old AS (SELECT id FROM t WHERE x < 5) DELETE FROM t;', 'DELETE without WHERE'],
	['ALTER TABLE users DROP COLUMN legacy_flag;', 'ALTER ... DROP COLUMN'],
	['SELECT 1; DELETE FROM jobs; SELECT 2;', 'DELETE without WHERE'],
	["DO $$ BEGIN DELETE FROM jobs; END $$;", 'DELETE without WHERE'],
	// PostgreSQL's standard strings: a backslash is a character, so the string ends at \' and the DROP runs
	// (the engine's splitter, like psql, sends it as a statement of its own).
	["SELECT 'abc\\'; DROP TABLE users; --'", 'DROP TABLE'],
	// A backtick quotes nothing in PostgreSQL: the statement after it runs.
	['SELECT 1 AS `; TRUNCATE orders; --`', 'TRUNCATE'],
	// Still read as MySQL would: a backslash-escaped quote inside a string.
	["SELECT 'it\\'s'; DELETE FROM carts;", 'DELETE without WHERE'],
	// And as E'' strings: the backslash escapes there too.
	["SELECT E'a\\'; DROP TABLE t; --'; DELETE FROM jobs;", 'DELETE without WHERE'],
];

const sqlClean: string[] = [
	'SELECT * FROM users WHERE id = 1;',
	"SELECT 'DROP TABLE users' AS advice;",
	'-- DROP TABLE users;\nSELECT 1;',
	'/* TRUNCATE orders; */ SELECT count(*) FROM orders;',
	'UPDATE users SET active = false WHERE id = 42;',
	'DELETE FROM sessions WHERE expires_at < now();',
	"INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a;",
	'ALTER TABLE users ALTER COLUMN name DROP NOT NULL;',
	'ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;',
	'ALTER TABLE users ADD COLUMN note text;',
	'CREATE INDEX CONCURRENTLY idx_b ON t (b);',
	"UPDATE users SET note = 'no where; here' WHERE id = 3;",
	'BEGIN; SELECT pg_sleep(1); COMMIT;',
	"SELECT 'C:\\temp\\' AS dir WHERE true;",
];

describe('dangerousIn — sql blocks (statement-aware)', () => {
	it.each(sqlFlag)('flags %s', (code, reason) => {
		const got = reasons(code, 'sql');
		if (reason === '') expect(got).toEqual([]);
		else expect(got).toContain(reason);
	});
	it.each(sqlClean)('does not flag %s', code => {
		expect(reasons(code, 'sql')).toEqual([]);
	});
	it('reports the statement text and its line', () => {
		const f = dangerousIn(block('SELECT 1;\n\n-- clean up\nDELETE FROM carts;\n', 'sql'));
		expect(f).toEqual([{command: 'DELETE FROM carts', reason: 'DELETE without WHERE', line: 14}]);
	});
});

describe('dangerousIn — SQL whose quoting reads two ways', () => {
	it('flags what either reading runs, once, in statement order', () => {
		const f = dangerousIn(block("SELECT 'abc\\'; DROP TABLE users; --'", 'sql'));
		expect(f).toEqual([{command: 'DROP TABLE users', reason: 'DROP TABLE', line: 11}]);
	});
	it('psql -c with such a string is flagged like the block', () => {
		expect(reasons(`psql -c "SELECT 'a\\'; DELETE FROM carts; --'"`)).toContain('DELETE without WHERE');
	});
});

describe('dangerousIn — redis blocks', () => {
	it('flags FLUSHALL / FLUSHDB lines, not reads or comments', () => {
		expect(reasons('GET a\nflushall\n# FLUSHDB\nSET b 1\nFLUSHDB ASYNC', 'redis')).toEqual(['FLUSHALL', 'FLUSHDB']);
		expect(reasons('GET flushall\nSCAN 0 MATCH feature:*', 'redis')).toEqual([]);
	});
	it('promql and display-only text blocks are never dangerous', () => {
		expect(dangerousIn(block('sum(rate(x[5m]))', 'promql'))).toEqual([]);
		expect(dangerousIn({lang: 'text', executor: null, line: 1, code: 'rm -rf /', inline: false})).toEqual([]);
	});
});

describe('checklist-marked patterns', () => {
	it('frontmatter regexes flag matching commands, not echo text or comments', () => {
		const extra = ['terraform\\s+destroy', 'helm rollback'];
		expect(reasons('terraform destroy -auto-approve', 'shell', extra)).toContain('marked in the checklist (terraform\\s+destroy)');
		expect(reasons('helm rollback api 41', 'shell', extra)).toEqual(['marked in the checklist (helm rollback)']);
		expect(reasons('echo "terraform destroy is forbidden"\n# helm rollback api', 'shell', extra)).toEqual([]);
		expect(reasons('terraform plan', 'shell', extra)).toEqual([]);
	});
	it('an invalid regex matches its text literally instead of throwing', () => {
		expect(reasons('deploy +force', 'shell', ['+force'])).toHaveLength(1);
		expect(reasons('deploy', 'shell', ['+force'])).toHaveLength(0);
	});
	it('patterns apply to sql and redis lines too', () => {
		expect(reasons('VACUUM FULL orders;', 'sql', ['vacuum full'])).toHaveLength(1);
		expect(reasons('DEL session:42', 'redis', ['^DEL '])).toHaveLength(1);
	});
	it('a `# deploycockpit: dangerous` comment marks the whole block', () => {
		const f = dangerousIn(block('# deploycockpit: dangerous\n./scripts/migrate.sh --apply'));
		expect(f).toEqual([{command: './scripts/migrate.sh --apply', reason: 'marked in the checklist', line: 10 + 1}]);
	});
});

function step(codes: string[], placeholders: string[] = []): Step {
	return {
		id: 's1',
		section: null,
		parent: null,
		title: 't',
		line: 1,
		checkbox: true,
		checked: false,
		blocks: codes.map(c => block(c)),
		expect: [],
		placeholders,
	};
}

describe('preflight', () => {
	it('lists variables read before they are set, in order, once', () => {
		const code = [
			'curl -H "Authorization: Bearer $ADMIN_TOKEN" "${API_URL}/health"',
			'BACKUP_FILE=/backup/db-$(date +%s).dump',
			'pg_dump > "$BACKUP_FILE"',
			"awk '{print $NOT_A_VAR}' file",
			'echo $? $! $1 $# $@ $$ $HOME $PWD $RANDOM',
			'echo "${REGION:-eu-west-1} ${#ITEMS}"',
			'echo \\$ESCAPED $ADMIN_TOKEN',
			'export STAGE=prod; echo $STAGE',
			'read -r ANSWER; echo $ANSWER',
			'for f in *.sql; do psql -f "$f"; done',
			'PID=$!',
			'echo $PID',
			'n=$(( COUNT + 1 ))',
		].join('\n');
		expect(unsetVarsIn(code, {})).toEqual(['ADMIN_TOKEN', 'API_URL', 'ITEMS']);
		expect(unsetVarsIn(code, {ADMIN_TOKEN: 'x', API_URL: 'u'})).toEqual(['ITEMS']);
	});

	it('a variable read before its assignment is unset; `X=$X` reads X', () => {
		expect(unsetVarsIn('echo $LATER\nLATER=1', {})).toEqual(['LATER']);
		expect(unsetVarsIn('PATHS=$PATHS:/opt', {})).toEqual(['PATHS']);
	});

	it('after source / . / eval / export $(...) nothing more is reported (those set unknown names)', () => {
		expect(unsetVarsIn('echo $BEFORE\nsource ./deploy.env\necho $FROM_FILE', {})).toEqual(['BEFORE']);
		expect(unsetVarsIn('. /etc/app/vars; echo $X', {})).toEqual([]);
		expect(unsetVarsIn("export $(grep -v '^#' .env | xargs)\necho $DB_HOST", {})).toEqual([]);
		expect(unsetVarsIn('export A=1\necho $A $B', {})).toEqual(['B']);
		const p = preflight(step(['source ./env.sh', 'echo $LATER_BLOCK']), {});
		expect(p.unsetVars).toEqual([]);
	});

	it('unquoted heredocs expand variables, quoted ones do not', () => {
		expect(unsetVarsIn('cat <<EOF\nhello $NAME\nEOF', {})).toEqual(['NAME']);
		expect(unsetVarsIn("cat <<'EOF'\nhello $NAME\nEOF", {})).toEqual([]);
	});

	it('blocks of one step share assignments; env counts as set', () => {
		const p = preflight(step(['export ENVIRONMENT=staging', 'echo $ENVIRONMENT $DEPLOY_USER $KNOWN']), {KNOWN: '1'});
		expect(p.unsetVars).toEqual(['DEPLOY_USER']);
	});

	it('reports placeholders and dangerous commands together', () => {
		const p = preflight(step(['kubectl delete pod <pod> -n <namespace>'], ['pod', 'namespace']), {});
		expect(p.placeholders).toEqual(['pod', 'namespace']);
		expect(p.dangerous).toEqual([{command: 'kubectl delete pod <pod> -n <namespace>', reason: 'kubectl delete', line: 11}]);
		expect(p.unsetVars).toEqual([]);
	});

	it('heredoc markers and redirections are not placeholders', () => {
		expect(placeholdersIn('cat <<EOF\nx\nEOF\nsort <in.txt >out.txt\necho <release-tag>')).toEqual(['release-tag']);
	});

	it('fillPlaceholders / fillStep replace what is given and keep the rest', () => {
		expect(fillPlaceholders('kubectl logs <pod> -n <ns>', {pod: 'web-1'})).toBe('kubectl logs web-1 -n <ns>');
		const filled = fillStep(step(['kubectl logs <pod> -n <ns>'], ['pod', 'ns']), {pod: 'web-1'});
		expect(filled.blocks[0]!.code).toBe('kubectl logs web-1 -n <ns>');
		expect(filled.placeholders).toEqual(['ns']);
		expect(preflight(filled, {}).placeholders).toEqual(['ns']);
	});
});

describe('expandKnown (dry run preview)', () => {
	it('expands known variables outside single quotes and never secret-named ones', () => {
		const env = {ENVIRONMENT: 'staging', API_TOKEN: 's3cr3t', DIR: '/srv'};
		expect(expandKnown('cd $DIR && deploy --env "${ENVIRONMENT}" --token $API_TOKEN --x $UNKNOWN', env)).toBe(
			'cd /srv && deploy --env "staging" --token $API_TOKEN --x $UNKNOWN',
		);
		expect(expandKnown("echo '$DIR' \\$DIR # $DIR", env)).toBe("echo '$DIR' \\$DIR # $DIR");
	});
});

describe('issue 15: code inside code, files, normalised patterns', () => {
	it('DO bodies: EXECUTE of SQL text is analysed, of a variable is asked about, a harmless one passes', () => {
		expect(reasons("DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$;", 'sql')).toEqual(['EXECUTE DROP TABLE']);
		expect(reasons("DO $$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables LOOP EXECUTE 'DROP TABLE ' || quote_ident(r.tablename); END LOOP; END $$;", 'sql')).toEqual(['EXECUTE DROP TABLE']);
		expect(reasons("DO $$ BEGIN EXECUTE format('TRUNCATE %I', 'audit'); END $$;", 'sql')).toEqual(['EXECUTE TRUNCATE']);
		expect(reasons('DO $$ BEGIN IF true THEN DELETE FROM carts; END IF; END $$;', 'sql')).toEqual(['DELETE without WHERE']);
		expect(reasons('DO $$ BEGIN EXECUTE stmt; END $$;', 'sql')[0]).toContain('cannot be analysed');
		expect(reasons("DO $$ BEGIN EXECUTE 'SELECT 1'; RAISE NOTICE 'DROP TABLE x'; END $$;", 'sql')).toEqual([]);
		expect(reasons("EXECUTE 'x'; PREPARE p AS SELECT 1; EXECUTE p;", 'sql')).toEqual([]);
	});
	it('EVAL scripts are judged by the commands they call', () => {
		expect(reasons(`EVAL "redis.call('flushall')" 0`, 'redis')).toEqual(['EVAL FLUSHALL']);
		expect(reasons(`EVAL "return redis.call('del', unpack(redis.call('keys', ARGV[1])))" 0 sess:*`, 'redis')).toEqual(['EVAL deletes keys found by KEYS/SCAN']);
		expect(reasons(`EVAL "return redis.call('get', KEYS[1])" 1 k`, 'redis')).toEqual([]);
		expect(reasons('EVALSHA 3f2a 0', 'redis')[0]).toContain('cannot be analysed');
		expect(reasons(`redis-cli EVAL "redis.pcall('FLUSHDB')" 0`)).toEqual(['EVAL FLUSHDB']);
	});
	it('files fed to psql are read relative to the step directory, following a literal cd', async () => {
		const {mkdtempSync, mkdirSync, writeFileSync} = await import('node:fs');
		const {tmpdir} = await import('node:os');
		const {join} = await import('node:path');
		const dir = mkdtempSync(join(tmpdir(), 'dc-analyze-'));
		mkdirSync(join(dir, 'migrations'));
		writeFileSync(join(dir, 'migrations', 'drop.sql'), 'DROP TABLE legacy;');
		writeFileSync(join(dir, 'ok.sql'), 'SELECT 1;');
		const at = (code: string) => dangerousIn(block(code), [], {cwd: dir}).map(f => f.reason);
		expect(at('psql -f migrations/drop.sql')).toEqual(['DROP TABLE']);
		expect(at('cd migrations && psql < drop.sql')).toEqual(['DROP TABLE']);
		expect(at('psql -f ok.sql')).toEqual([]);
		expect(at('psql -f "$MIGRATION"')[0]).toContain('only known at run time');
		expect(at('psql -f later.sql')[0]).toContain('does not exist');
		expect(at('gunzip -c dump.sql.gz | psql')).toEqual([]);
	});
	it('custom patterns match the normalised command: wrappers dropped, options moved aside', () => {
		const extra = ['^deployctl purge'];
		expect(reasons('sudo -u ops deployctl --force purge cache', 'shell', extra)).toEqual(['marked in the checklist (^deployctl purge)']);
		expect(reasons('deployctl --force status', 'shell', extra)).toEqual([]);
		expect(reasons('terraform -chdir=infra destroy', 'shell', ['terraform destroy'])).toContain('marked in the checklist (terraform destroy)');
	});
});
