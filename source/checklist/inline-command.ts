// Is this inline `code` span a command to run, or a name, value or path?
// Running by accident is the worst failure here, so anything unclear is text.
import type {Executor} from './model.js';

/** Well-known CLIs and shell builtins: a first word that makes a line a command. */
export const knownCommands = new Set(`
kubectl helm helmfile kustomize oc eksctl argocd flux istioctl linkerd k9s minikube
docker docker-compose podman nerdctl crictl
psql pg_dump pg_restore pg_dumpall pg_ctl pg_isready createdb dropdb mysql mysqldump mongo mongosh mongodump
mongorestore sqlite3 redis-cli clickhouse-client cqlsh influx
curl wget httpie nc telnet dig nslookup ping traceroute openssl ssh scp rsync sftp
git gh hub svn
systemctl journalctl service supervisorctl launchctl crontab nginx apachectl
npm npx yarn pnpm node deno bun make cmake go cargo rustc python python3 pip pip3 pipx poetry uv pytest tox
ruby bundle rake rails gem php composer java mvn gradle dotnet alembic flyway liquibase
terraform terragrunt tofu ansible ansible-playbook packer vagrant pulumi aws gcloud gsutil az doctl heroku
fly flyctl vercel netlify firebase wrangler vault consul nomad
bash sh zsh source sudo env export unset cd ls cat tail head grep egrep rg sed awk cut sort uniq wc
echo printf cp mv rm mkdir rmdir touch chmod chown ln tar zip unzip gzip gunzip find xargs df du
ps kill pkill pgrep sleep date watch tee jq yq diff stat lsof ss netstat ip iptables ufw mount umount
apt apt-get yum dnf apk brew snap stern kubectx kubens skaffold tilt velero etcdctl nats kafka-topics kcat promtool amtool mc s3cmd rclone
`.trim().split(/\s+/));

const sqlStart = /^(?:select|insert|update|delete|with|create|alter|drop|truncate|grant|revoke|explain|vacuum|analyze|begin|commit|rollback|reindex|refresh|copy|set|show)\s/i;

/** 'shell', 'sql' or null (not a command). */
export function inlineCommandExecutor(code: string): Executor | null {
	const text = code.trim();
	if (text.length < 3 || text.includes('\n')) return null;
	if (sqlStart.test(text) && /;\s*$/.test(text)) return 'sql';
	// Channels, dotfiles, bare paths, URLs, metric names, key=value: names, not commands.
	if (/^[#@]/.test(text)) return null;
	if (/^[a-z][a-z0-9+.-]*:\/\/\S*$/i.test(text)) return null;
	const words = text.split(/\s+/);
	let i = 0;
	while (i < words.length - 1 && /^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(words[i]!)) i++;
	const first = words[i]!;
	const args = words.slice(i + 1);
	if (/^\.{1,2}\/\S+/.test(first) && !/\.(?:md|txt|ya?ml|json|toml|ini|conf|log|env|csv|html)$/i.test(first)) return 'shell';
	if (args.length === 0) return null;
	if (knownCommands.has(first)) return 'shell';
	if (/\.(?:sh|py|rb|pl)$/.test(first)) return 'shell';
	if (!/^[a-z][\w.-]*$/i.test(first)) return null;
	// Shell syntax after an unknown but command-like first word.
	if (/\s(?:\||&&|\|\||>>?|2>&1)\s|\$\(|`/.test(text)) return 'shell';
	if (args.some(a => /^--?[a-zA-Z][\w-]*(?:=\S*)?$/.test(a))) return 'shell';
	return null;
}
