// The bindings are tested against the same facts: one set of helpers (recorder, listener
// ledger, console spy, subscription counter), kept with the React tests.
export * from '../../react/test/helpers';
