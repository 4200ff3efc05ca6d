/** Package identity, kept in one place for the resource, the tracer scope and the public exports. */
export const SDK_NAME = '@waggle/sdk';
export const SDK_VERSION = '0.1.0';
