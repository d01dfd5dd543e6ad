/** Software version, recorded in outputs. Keep in step with package.json. */
export const VERSION = '0.1.0';
