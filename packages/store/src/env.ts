import { type TableDefinition, tableEnvName } from './tables.js';

/** The physical name of a table, as the deployment (CDK or the local stack) put it in the environment. */
export const tableNameFromEnv = (table: TableDefinition, env: NodeJS.ProcessEnv = process.env): string => {
  const name = env[tableEnvName(table)];
  if (!name)
    throw new Error(`${tableEnvName(table)} is not set: the deployment must name the ${table.id} table`);
  return name;
};
