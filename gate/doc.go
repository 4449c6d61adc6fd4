// Package gate is the waiting-room domain: the room and its configuration,
// tickets and their states, the lottery draw, the admission tick with its
// adaptive rate, ETAs, and the interfaces its adapters (gate/redis,
// gate/http) implement or use. It imports none of its adapters.
//
// A student joins the room with a session token and holds one Ticket; from
// prequeue_seconds before the room opens the ticket waits in the
// pre-queue, after the opening in the queue (FIFO; in lottery mode the
// pre-queue is first ordered by DrawOrder). One gate instance at a time,
// the holder of the room's Lock, runs the admission tick (Admitter): it
// admits students from the head of the queue at the room's effective rate,
// never more than max_active at once, and mints each an admission token,
// the only thing the core accepts for enrollment writes. The effective rate
// follows the core's health as every gate sees it through its proxy (AIMD).
//
// # Additions to the HTTP contract
//
// The contract (API.md) allows additions; the gate makes these:
//
//   - Ticket (join, status): "ahead" (waiting students ahead, position-1),
//     "eta_low" and "eta_high" (a range around eta_seconds from the spread
//     of the observed admission rate), "mode", and in lottery mode
//     "draw_commitment" (sha256 of the seed, hex) and, once the room
//     opened, "draw_seed" (hex). In a lottery pre-queue before the draw the
//     order is not known yet: "position" is then the pre-queue's size.
//   - Status by ?ticket= of an older ticket of the student answers that
//     ticket as "expired".
//   - WebSocket frames: position frames carry "ahead", "eta_low" and
//     "eta_high" too; a ticket that ended (left, abandoned, session over,
//     replaced by a newer ticket) gets {"type":"expired"} and a normal
//     close (1000); at shutdown sockets are closed with 1001.
//   - The room object (PUT and GET /admin/v1/room): "prequeue_opens_at",
//     "opened", "drawn", "draw_commitment" and "draw_seed" as above. An
//     unconfigured room is null in GET, with "configured": false.
//   - GET /admin/v1/room also answers "admit_rate_configured" (the room's
//     admit_per_second; "admit_rate" is the effective rate after AIMD),
//     "admit_rate_observed" (what this gate saw over 20 s), "departed"
//     (waiters who left or were dropped for silence), "configured",
//     "sockets" (held by the answering gate) and "leader" (whether it runs
//     the admission tick).
//   - GET /admin/v1/room/draw (admin): {"commitment", "seed" (after the
//     opening), "order" (the pre-queue's student ids in draw order, after
//     the draw)}, so anyone given it can recompute the draw.
//   - PUT /admin/v1/room on a room never configured needs opens_at; the
//     other fields default to fifo, not paused, session_seconds 600 and
//     zero for the rest.
package gate
