/** `npm run db:migrate`: applies pending migrations to the configured database and exits. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../config.ts';
import { openDatabase } from './index.ts';

const config = loadConfig();
if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
const db = openDatabase(config.dbPath);
db.$client.close();
console.log(`Database ${config.dbPath} is up to date.`);
