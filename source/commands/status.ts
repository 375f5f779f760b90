// Placeholder until its part lands; replaced by the owner of 'status'.
export async function run(_argv: string[]): Promise<number> {
	process.stderr.write('deploycockpit: status is not implemented yet\n');
	return 1;
}
