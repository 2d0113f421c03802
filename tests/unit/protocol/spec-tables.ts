/**
 * protocol/README.md's message tables, rendered from schema.ts. The README carries
 * exactly these (schema.test.ts checks it); after changing the schema, paste what the
 * failing test prints.
 */
import { CLIENT_SCHEMA, EVENT_SCHEMA, SERVER_SCHEMA, type FieldSpec, type MessageSpec } from '../../../protocol/index.ts';

const typeName = (f: FieldSpec): string => (f.type === 'rest' ? 'array each' : f.type);

export function messageTable(m: MessageSpec, client: boolean): string {
  const rows = [
    `| # | field | type | ${client ? 'range / meaning' : 'meaning'} |`,
    '|---|-------|------|---------|',
    `| 0 | kind | uint | \`${m.kind}\` |`,
  ];
  m.fields.forEach((f, i) => {
    const index = f.type === 'rest' ? `${i + 1}..` : String(i + 1);
    rows.push(`| ${index} | ${f.name} | ${typeName(f)} | ${f.doc} |`);
  });
  return rows.join('\n');
}

export function eventTable(): string {
  const rows = ['| type | event | fields (all ints but text) | who gets it |', '|------|-------|--------|-------------|'];
  for (const e of EVENT_SCHEMA) {
    const shape = `[${[String(e.type), ...e.fields.map((f) => f.name)].join(', ')}]`;
    rows.push(`| ${e.type} | ${e.name} | \`${shape}\`: ${e.doc} | ${e.audience} |`);
  }
  return rows.join('\n');
}

/** Every table the README must contain, by the heading it sits under. */
export function allTables(): { name: string; table: string }[] {
  return [
    ...CLIENT_SCHEMA.map((m) => ({ name: m.name, table: messageTable(m, true) })),
    ...SERVER_SCHEMA.filter((m) => m.name !== 'PlayerJoined' && m.name !== 'PlayerLeft').map((m) => ({
      name: m.name,
      table: messageTable(m, false),
    })),
    { name: 'PlayerJoined', table: messageTable(SERVER_SCHEMA.find((m) => m.name === 'PlayerJoined')!, false) },
    { name: 'PlayerLeft', table: messageTable(SERVER_SCHEMA.find((m) => m.name === 'PlayerLeft')!, false) },
    { name: 'event types', table: eventTable() },
  ];
}
