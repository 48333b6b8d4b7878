// @ts-check
// Name rules of a new service and every spelling of its name the platform needs. Checked before
// the generator touches the tree, so a refused name writes nothing.

/**
 * Not service names: the platform's own projects and folders, words a route or a stream already
 * means (`/api`, `/health`, the dead-letter stream), and words that would read as a role.
 */
const reserved = new Set([
  'gateway', 'e2e', 'console', 'platform', 'tools', 'tool', 'api', 'apps', 'app', 'libs', 'lib', 'shared', 'common',
  'docs', 'health', 'ready', 'metrics', 'openapi', 'asyncapi', 'auth', 'admin', 'internal', 'public', 'system',
  'dlq', 'dead-letters', 'events', 'test', 'tests', 'testing', 'node-modules', 'dist', 'deploy', 'postgres', 'nats', 'redis',
]);

const kebabCase = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const word = /^[a-z][a-z0-9]*$/;

/**
 * The one-line reason `name` cannot be a new service, or undefined when it can.
 * @param {string} name
 * @param {{ projects: Set<string>, paths: Set<string> }} taken project names and existing apps/libs folders
 */
function nameProblem(name, taken) {
  if (typeof name !== 'string' || name.length === 0) return 'a service name is required (npx nx g @platform/tools:service <name>)';
  if (!kebabCase.test(name)) return `"${name}" is not kebab-case: lower-case letters and digits, words joined by single hyphens, starting with a letter (e.g. order-books)`;
  // The database name, stream and subject prefix must stay well inside Postgres' 63 bytes.
  if (name.length > 30) return `"${name}" is longer than 30 characters`;
  if (reserved.has(name)) return `"${name}" is a reserved word on this platform (${[...reserved].slice(0, 8).join(', ')}, ...)`;
  if (taken.projects.has(name) || taken.projects.has(`@platform/${name}`)) return `"${name}" is an existing project`;
  if (taken.paths.has(name)) return `"${name}" already exists under apps/ or libs/`;
  return undefined;
}

/** @param {string} entity */
function entityProblem(entity) {
  if (!word.test(entity) || entity.length > 30) return `entity "${entity}" must be one lower-case word (letters and digits, e.g. item)`;
  return undefined;
}

/** @param {string} kebab */
const camel = (kebab) => kebab.replace(/-([a-z0-9])/g, (_m, c) => c.toUpperCase());
/** @param {string} kebab */
const pascal = (kebab) => camel(kebab).replace(/^[a-z]/, (c) => c.toUpperCase());

/**
 * Every spelling of the service and entity names the templates use.
 * @param {string} name kebab-case service name
 * @param {string} entity one-word entity name
 */
function spellings(name, entity) {
  const entities = entity.endsWith('s') ? `${entity}es` : entity.endsWith('y') && !/[aeiou]y$/.test(entity) ? `${entity.slice(0, -1)}ies` : `${entity}s`;
  return {
    name,
    /** Variable prefix (ORDER_BOOKS_PORT) and stream name (ORDER_BOOKS). */
    constant: name.toUpperCase().replace(/-/g, '_'),
    /** Database name, event source and subject prefix (event segments allow no hyphen). */
    snake: name.replace(/-/g, '_'),
    camel: camel(name),
    pascal: pascal(name),
    /** Human title (README, OpenAPI). */
    title: name.split('-').map((part) => part[0].toUpperCase() + part.slice(1)).join(' '),
    entity,
    /** `a item` reads badly: `an item`. */
    aEntity: `${/^[aeiou]/.test(entity) ? 'an' : 'a'} ${entity}`,
    entities,
    /** The event's contract object (`orderBooksItemCreatedV1`), unique as the service name is. */
    contract: `${camel(name)}${pascal(entity)}CreatedV1`,
    /** Its type = subject (`order_books.item.created.v1`). */
    eventType: `${name.replace(/-/g, '_')}.${entity}.created.v1`,
    Entity: pascal(entity),
    Entities: pascal(entities),
  };
}

module.exports = { nameProblem, entityProblem, spellings, reserved };
