// When a plain list is a list of steps. A numbered list at section level is
// one (runbooks are written that way), a bulleted list is one only when its
// section has no task items and every item reads as an action. Prose lists
// stay prose: a table of contents, a list of links, Notes / References /
// Contacts sections, `**Label**: value` items.

/** Imperative verbs an action item starts with (lower case). */
const verbs = new Set(`
run execute exec invoke call check verify confirm ensure validate test assert compare inspect review audit
look watch monitor observe tail grep query measure count
deploy redeploy release ship publish unpublish promote roll rollback revert undo restore recover back backup
snapshot dump export import migrate upgrade downgrade update patch apply install uninstall reinstall
build rebuild compile package tag merge push pull fetch clone checkout rebase cherry-pick sync
start stop restart reload reboot shutdown kill terminate pause resume suspend freeze unfreeze
scale drain cordon uncordon evict failover switch flip toggle enable disable turn activate deactivate
create delete remove drop truncate clear flush purge clean cleanup rotate renew revoke grant
set unset configure reconfigure change edit rename move copy replace upload download attach detach mount unmount
open close lock unlock mark label annotate record capture take save log note document write fill file
notify announce post send email page escalate inform tell ask alert call message ping contact
wait sleep schedule book approve sign get obtain assign hand handover communicate coordinate
prepare provision seed load warm prewarm invalidate purge cut cutover point repoint route reroute
ssh login connect disconnect navigate go click select visit increase decrease raise lower bump
complete finish perform do make add reset resize reindex vacuum analyze refresh rerun retry trigger
`.trim().split(/\s+/));

const proseTitle = /\b(?:contents|toc|notes?|references?|links?|see\s+also|contacts?|escalation|resources|glossary|appendix|faq|acknowledg\w*|changelog|history|owners?|authors?|revisions?|terminology|definitions?|background|overview|summary|related|further\s+reading)\b/i;

export function isProseSection(title: string | undefined): boolean {
	return title !== undefined && proseTitle.test(title);
}

/** "This runbook covers:", "Notes:", "Contents:" — a paragraph that introduces a prose list. */
export function isProseIntro(text: string): boolean {
	return /:\s*$/.test(text) && (proseTitle.test(text) || /\b(?:covers?|includes?|contains?|consists?\s+of|applies\s+to|scope|such\s+as|for\s+example|e\.g\.)\b/i.test(text));
}

/** Leading decoration of an item's text: `Step 3:`, `3.`, `3)`, emoji, `**`. */
function bareText(text: string): string {
	return text
		.replace(/^[\s*_>]+/, '')
		.replace(/^(?:step\s+)?\d+[a-z]?(?:[.):]|\s+-)\s*/i, '')
		.replace(/^[^\p{L}\p{N}`]+/u, '')
		.replace(/\*\*/g, '')
		.trim();
}

/**
 * An action: the first word is an imperative verb (not a `Label:`), or the
 * item holds a command. `text` keeps `**` markers (to see `**Label**: value`).
 */
export function readsAsAction(text: string, hasCommand: boolean): boolean {
	if (hasCommand) return true;
	if (/^\s*\*\*[^*]+?\*\*\s*:|^\s*\*\*[^*]+:\s*\*\*/.test(text)) return false;
	const bare = bareText(text);
	const word = /^[\p{L}-]+:?/u.exec(bare)?.[0] ?? '';
	if (word.endsWith(':')) return false;
	return verbs.has(word.toLowerCase());
}
