/** `npm run db:migrate`: applies pending migrations to the configured database and exits. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadDatabasePath } from '../config.ts';
import { openDatabase } from './index.ts';

const dbPath = loadDatabasePath();
if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
const db = openDatabase(dbPath);
db.$client.close();
console.log(`Database ${dbPath} is up to date.`);
