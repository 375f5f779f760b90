// The fill-values-then-confirm flow, shared by a step's preflight (Enter)
// and the rollback panel (y): a list of names to give values for, some
// required; Enter moves to the next field without a value, and past the last
// one the flow goes on to its confirmation (or straight to the run). Pure.

export interface FillForm {
	/** Names to fill, in order (placeholders first, then unset variables). */
	fields: string[];
	/** Names that must have a value (the others may stay empty). */
	required: string[];
	values: Record<string, string>;
	/** Index into fields of the field being edited; fields.length = past the last one. */
	field: number;
}

export type FillStep =
	/** The field being edited is required and has no value. */
	| {kind: 'missing'; name: string}
	/** Edit this field next. */
	| {kind: 'field'; field: number}
	/** Every required field has a value: confirm or run. */
	| {kind: 'complete'};

/** Enter on the form: where it goes next. */
export function nextFill(form: FillForm): FillStep {
	if (form.field < form.fields.length) {
		const name = form.fields[form.field]!;
		if (form.required.includes(name) && !form.values[name]) return {kind: 'missing', name};
		const after = form.fields.findIndex((f, i) => i > form.field && !form.values[f]);
		if (after >= 0) return {kind: 'field', field: after};
	}
	const unfilled = form.fields.findIndex(f => form.required.includes(f) && !form.values[f]);
	return unfilled >= 0 ? {kind: 'field', field: unfilled} : {kind: 'complete'};
}

/** The value typed into the field being edited. */
export function setFill<F extends FillForm>(form: F, value: string): F {
	const name = form.fields[form.field];
	return name === undefined ? form : {...form, values: {...form.values, [name]: value}};
}
