/** The offer decision: which campaigns a location and a shopper get, and why the others do not. Pure: no I/O, no clock. */
export * from './frequency-cap.js';
export * from './select.js';
export * from './amount.js';
