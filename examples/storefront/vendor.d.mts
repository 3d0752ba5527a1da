/** `vendor/<name>` ← the npm file it is copied from. */
export declare const VENDOR_FILES: Record<string, string>;
/** Copy the vendor files into `examples/storefront/vendor/`, skipping those already there. Returns the folder. */
export declare function copyVendor(): string;
