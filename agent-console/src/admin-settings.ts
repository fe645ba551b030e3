/** Page script; filled in by its page's work. */
export {};
