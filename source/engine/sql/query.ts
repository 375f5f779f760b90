// Runs one statement while keeping memory bounded: rows are fetched from a
// portal in batches, the first `keepRows` are kept and the rest only counted,
// so `SELECT * FROM events` on a big table cannot exhaust the cockpit.
import pg from 'pg';

export interface FieldInfo {
	name: string;
	dataTypeID: number;
}

export interface StatementOutcome {
	command: string | null;
	rowCount: number | null;
	fields: FieldInfo[];
	rows: Array<Array<string | null>>;
	/** Rows the statement returned beyond keepRows (counted, not kept). */
	rowsDropped: number;
}

// Every value stays the server's text; format.ts decides how it is shown.
const rawTypes = {getTypeParser: () => (value: string) => value} as unknown as pg.CustomTypesConfig;

// Rows per fetch: big enough that a long result is not dominated by round trips, small enough to stay a few MB.
const BATCH_ROWS = 5000;

// pg's Query with `rows` flushes instead of syncing, so after an error the
// server waits for a Sync that pg never sends; send it here (as pg-cursor does).
class BoundedQuery extends pg.Query {
	private ready = false;

	handleReadyForQuery(connection: unknown): void {
		this.ready = true;
		(pg.Query.prototype as unknown as {handleReadyForQuery(c: unknown): void}).handleReadyForQuery.call(this, connection);
	}

	handleError(error: Error, connection: {sync(): void}): void {
		if (!this.ready) connection.sync();
		(pg.Query.prototype as unknown as {handleError(e: Error, c: unknown): void}).handleError.call(this, error, connection);
	}
}

export function runStatement(client: pg.PoolClient, text: string, keepRows: number): Promise<StatementOutcome> {
	return new Promise((resolve, reject) => {
		const query = new BoundedQuery({text, rowMode: 'array', rows: BATCH_ROWS, types: rawTypes} as pg.QueryConfig);
		const rows: Array<Array<string | null>> = [];
		let dropped = 0;
		query.on('row', (row: Array<string | null>) => {
			if (rows.length < keepRows) rows.push(row);
			else dropped++;
		});
		query.on('error', reject);
		query.on('end', (result: pg.QueryResult | pg.QueryResult[]) => {
			const last = Array.isArray(result) ? result[result.length - 1] : result;
			resolve({
				command: last?.command ?? null,
				rowCount: last?.rowCount ?? null,
				fields: (last?.fields ?? []).map(f => ({name: f.name, dataTypeID: f.dataTypeID})),
				rows,
				rowsDropped: dropped,
			});
		});
		client.query(query as unknown as pg.Submittable);
	});
}
