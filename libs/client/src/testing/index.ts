export {
  GENERATE_COMMAND,
  checkedInDocument,
  clientRoot,
  describeOperationDrift,
  renderClientSources,
  staleClientSources,
  type OpenApiDocument,
} from './codegen.js';
export { publicRoutesOf } from './public-routes.js';
