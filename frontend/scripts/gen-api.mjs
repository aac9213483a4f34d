// Regenerates src/api/schema.d.ts from the Python app's OpenAPI schema, without a running server.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..', '..')
const dir = mkdtempSync(path.join(tmpdir(), 'fuban-openapi-'))
const out = path.join(dir, 'openapi.json')
const python = path.join(repo, '.venv', 'bin', 'python')
const code = [
  'import json, sys',
  'from litestar.serialization import encode_json',
  'from core.app import create_app',
  'app = create_app()',
  // Litestar's own encoder (the schema holds dates and other non-JSON values), then sorted for stable diffs.
  'schema = json.loads(encode_json(app.openapi_schema.to_schema()))',
  'json.dump(schema, open(sys.argv[1], "w"), ensure_ascii=False, indent=1, sort_keys=True)',
].join('\n')
// A throwaway environment: building the app needs settings, not running servers.
const env = {
  ...process.env,
  FUBAN_ENV: 'test',
  FUBAN_DOCS_ENABLED: 'true',
}
execFileSync(python, ['-c', code, out], { cwd: repo, env, stdio: 'inherit' })
const schema = path.join(here, '..', 'src', 'api', 'schema.d.ts')
execFileSync(path.join(here, '..', 'node_modules', '.bin', 'openapi-typescript'), [out, '-o', schema], {
  stdio: 'inherit',
})
rmSync(dir, { recursive: true, force: true })
