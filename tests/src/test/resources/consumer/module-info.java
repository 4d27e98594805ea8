/**
 * A user of the migration API on the module path: requires only {@code migration}; the Linux channel provider
 * is found through service binding when its module is on the module path (or linked into the image).
 */
module consumer {
    requires migration;
}
