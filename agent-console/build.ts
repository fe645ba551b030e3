/**
 * Builds the console into `agent-console/dist/`, which the server serves at `/`:
 * one browser bundle per page (jssip and socket.io-client included) plus the static HTML and CSS.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const dist = here('./dist');

/** One entry point per page; the other modules in src/ are shared by them. */
const pages = [
  'login',
  'operator',
  'supervisor',
  'wallboard',
  'reports',
  'tickets',
  'calls',
  'agency',
  'admin',
  'admin-units',
  'admin-users',
  'admin-agencies',
  'admin-audit',
  'admin-calendar',
  'admin-settings',
  'admin-open311',
  'password',
  'zalo',
];

/**
 * The citizens' public pages (web form and its optional map, status page): plain scripts, not
 * modules, for the older browsers of older phones; Leaflet's stylesheet and images beside them.
 */
const publicPages = ['citizen-form', 'citizen-map', 'status-page'];

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await Promise.all([
  build({
    entryPoints: pages.map((page) => here(`./src/${page}.ts`)),
    outdir: dist,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  }),
  build({
    entryPoints: publicPages.map((page) => here(`./src/${page}.ts`)),
    outdir: dist,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2017',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  }),
  cp(here('./public'), dist, { recursive: true }),
  cp(here('../node_modules/leaflet/dist/leaflet.css'), `${dist}/leaflet/leaflet.css`),
  cp(here('../node_modules/leaflet/dist/images'), `${dist}/leaflet/images`, { recursive: true }),
]);
console.log(`console built into ${dist}`);
