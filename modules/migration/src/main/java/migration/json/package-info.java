/**
 * {@link migration.json.Json}, the one-line JSON writer of the library's statistics documents, for tools that write
 * documents of their own beside them.
 */
package migration.json;
