/**
 * The host's end of one plugin's socket: the reactor that watches every descriptor, the reading and
 * writing halves, the calls in flight and their deadlines, the plugin's own requests answered, and
 * the hand-over of the socket to a caller that reads its own answer.
 *
 * <p>May use {@code wire} and {@code os}.
 */
package dev.outpost.runtime.channel;
