/** The run state store: open one with `openStore(location)`; everything else goes through the `Store` interface. */
export { openStore, type OpenStoreOptions } from './open.js';
export * from './store.js';
