/**
 * The Outpost API: what Java code needs to find and call plugin processes through the OSGi
 * service registry. This is the only package the Outpost bundles export.
 */
package dev.outpost.api;
