/**
 * OSGi service publication: one {@code PluginService} per service a plugin declares in its Hello,
 * registered with the documented properties, its calls handed to whoever routes them.
 *
 * <p>Uses nothing else of the runtime: only the Outpost API, the protocol and the OSGi API.
 */
package dev.outpost.runtime.services;
