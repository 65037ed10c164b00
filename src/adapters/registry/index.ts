export { JsonFileRegistryStore } from './json-file-registry-store';
