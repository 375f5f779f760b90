/** A checklist that cannot be loaded at all. The message is one line, fit for a terminal. */
export class ChecklistError extends Error {
	override name = 'ChecklistError';
}
