/*
 * fsw._hotpath: the executive's and the local bus's per-packet fast paths,
 * as a CPython extension module (desktop only; not part of the guidance
 * core, never built for the board).
 *
 * Contract: each object here does exactly what a named piece of Python does
 * (fsw.bus.bus.Bus._publish_local, the delivery loop of
 * fsw.executive.executive.Executive._deliver, the turns of
 * Executive._lead) for the common case, and hands every other case,
 * untouched, to that Python code:
 *
 * - Loopback(queue, hwm, sent, received, dropped, boxes, fallback,
 *            apid_mask, version_mask, overhead)
 *   is a callable ``publish(packet)``. For an exact ``bytes`` packet whose
 *   primary header is valid (version bits clear, length field + overhead ==
 *   its length), with the queue below ``hwm``, no mirror, and a delivery
 *   table entry that is None or a tuple of lists, it counts the packet sent
 *   and received, appends it to the queue and to each list of
 *   ``boxes[apid]`` (or counts it in ``undelivered`` for None). Anything
 *   else is ``fallback(packet)`` (the Python method), before any state is
 *   touched. Attributes: ``undelivered`` (int, read/write), ``mirror``
 *   (bool, read/write), ``boxes`` (the table, a list, read/write).
 *   Method ``publish_many(data, lengths, which)``: the loop
 *   ``for i in which: publish(data[off:off + lengths[i]]); off += lengths[i]``
 *   (fsw.executive.task.TaskContext.publish_many), each packet so published.
 *
 * - Dispatcher(seen_p, seen_by, seen_rec, apid_mask) is a callable
 *   ``d(inbox, start, n, dispatch, parsers) -> int`` that hands the packets
 *   ``inbox[start:n]`` on, in order, as the Python loop does (parse once per
 *   APID through the ``seen_*`` cache). It returns the index it stopped at:
 *   ``n`` when all were handed on; below ``n`` when packet i raised an
 *   Exception (kept in ``error``, with ``in_parse`` true if the parser
 *   raised it) or is unusual (not exact bytes, shorter than two octets,
 *   an APID outside the tables, the inbox shrunk; ``error`` None): the
 *   Python loop then takes packet i and what follows. A BaseException that
 *   is not an Exception propagates. ``take_error()`` returns
 *   ``(error, in_parse)`` and clears them.
 *
 * - Ticker(plan, dispatcher, settle, turn, deliver_rest, step_failed,
 *          heartbeat, nominal, clock=None)
 *   is a callable ``ticker(k, t)``: the loop over the participants of
 *   fsw.executive.executive.Executive._lead for tick k at time t (plan:
 *   per participant (slot, obj, inbox, every, hb_every, settle_first)).
 *   It calls ``settle()`` where the plan says, skips an idle turn, and runs
 *   the turn of a participant whose slot is nominal (``state == nominal``),
 *   opened (``opened is True``) and without a fault streak
 *   (``consecutive == 0``) as Executive._turn does: the inbox through the
 *   Dispatcher (where it stops, ``deliver_rest(slot, k, i, n)``, which
 *   says whether the turn goes on), ``obj.step(t)`` when due, then
 *   ``slot.steps += 1`` (an Exception: ``step_failed(slot, exc, k)``, the
 *   turn over; a BaseException propagates), ``heartbeat(slot)`` when due.
 *   Any other participant's turn is ``turn(slot, k)``, the Python method.
 *   With a clock (ns), ``stats()`` gives per participant the turns,
 *   deliveries, packets and ns of the turns it ran (benchmarks).
 *   ``run(node, ticks, t0, dt, time_every, clock_packet)`` is the loop of
 *   Executive._lead over whole ticks (a local lockstep, unpaced): while
 *   ``k < ticks`` and not ``node._stop_requested``, it sets ``node.tick``
 *   and ``node.t`` (``t0 + k * dt``), calls ``clock_packet(k, t)`` every
 *   ``time_every`` ticks (TIME), ``settle()`` and the tick's turns; it
 *   returns the ticks run.
 *
 * - Settle(loopback, router, stream, node, fallback) is a callable
 *   ``settle()``: fsw.executive.lockstep.LocalLockstep's settle. With
 *   packets in the Loopback's queue it takes them (the queue emptied in
 *   place) and puts them in the stream stamped ``node.t`` as
 *   fsw.executive.router.Router.stream_delivered does (one
 *   ``stream.update`` of their concatenation, ``stream.packets`` and
 *   ``router.packets`` counted, ``stream.sink(packets, data, t)`` if set);
 *   if some were not for in-process delivery (the Loopback's undelivered
 *   count, reset) or there is no stream, ``fallback(packets, t, skipped)``:
 *   that Python method.
 *
 * - RecordTap(cursor, owner, fallback, rest) is a callable
 *   ``tap(packets, data, t)``: a mapped archive writer's joined tap, what
 *   tools.archive.writer.ArchiveWriter.write_batch does while the writer
 *   appends natively (``enabled``; the writer clears it when it stops or
 *   closes). For an exact list of 1..64 exact ``bytes`` packets, exact
 *   ``bytes`` data and a float t whose ``round(t * 1e9)`` is an int64, it
 *   calls pkt_archive_append (native/scan/records.c, compiled in) on the
 *   cursor at address ``cursor`` (kept alive by ``owner``) and, if that
 *   stopped early (more room needed, a packet out of bounds),
 *   ``rest(packets, data, ns)``: the writer's Python. Anything else is
 *   ``fallback(packets, data, t)``, before any state is touched.
 *
 * - Heartbeat(node, apid, templates, layout, states, fallback) is a
 *   callable ``heartbeat(slot)``:
 *   fsw.executive.executive.Executive._heartbeat. The packet is
 *   ``templates[slot.hb_task]`` (a HEARTBEAT the dictionary built with that
 *   task) with its sequence count (``node.seq[apid]``, counted on as
 *   Executive.next_seq does), time (``node.t``), counter
 *   (``slot.steps & 0xFFFFFFFF``), state (``slot.state``) and CRC set at
 *   the octets ``layout`` gives (size, seq, coarse, fine, counter, state:
 *   the dictionary's, computed by the executive), published through
 *   ``node.lockstep.publish`` (all looked up at each call). Anything unusual (no template for the task, a
 *   state outside the enum (``states``: 256 flags), a time or count the
 *   packet cannot carry, not exact types) is ``fallback(slot)``, before
 *   any state is touched. ``build(task, t, seq, counter, state)`` gives
 *   the packet alone (tests compare it with the dictionary's build).
 *
 * No global mutable state: the types are heap types in the module's state
 * (multi-phase initialisation); every object owns its references.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gnc_crc16.h" /* the project's one CRC-16 (native/src/gnc_crc16.c, compiled in) */
#include "scan.h"      /* the archive records (native/scan/records.c, compiled in) */

/* ---------------------------------------------------------------- helpers */

/* list[i] += 1 (PyNumber_Add: what ``l[i] += 1`` does); 0, or -1 with an
 * exception set. */
static int bump(PyObject *list, Py_ssize_t i, PyObject *one)
{
    PyObject *old = PyList_GET_ITEM(list, i);
    PyObject *sum = PyNumber_Add(old, one);
    if (sum == NULL) {
        return -1;
    }
    PyList_SET_ITEM(list, i, sum);
    Py_DECREF(old);
    return 0;
}

static int is_list_of(PyObject *o, Py_ssize_t n)
{
    return PyList_CheckExact(o) && PyList_GET_SIZE(o) == n;
}

/* ------------------------------------------------------------- Loopback */

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *queue;
    PyObject *sent;
    PyObject *received;
    PyObject *dropped;
    PyObject *boxes;
    PyObject *fallback;
    PyObject *one;
    Py_ssize_t hwm;
    Py_ssize_t undelivered;
    Py_ssize_t count;     /* APID table size: apid_mask + 1 */
    Py_ssize_t overhead;  /* packet length minus the length field */
    unsigned long apid_mask;
    unsigned long version_mask;
    char mirror;
} Loopback;

/* 1: published here; 0: not a case for the fast path (nothing touched);
 * -1: an exception. */
static int loopback_fast(Loopback *self, PyObject *packet)
{
    const unsigned char *b;
    unsigned long w0, w2, a;
    Py_ssize_t len, k, nbox;
    PyObject *entry, *queue = self->queue;

    if (self->mirror || !PyBytes_CheckExact(packet)) {
        return 0;
    }
    len = PyBytes_GET_SIZE(packet);
    if (len < 6 || PyList_GET_SIZE(queue) >= self->hwm) {
        return 0;
    }
    b = (const unsigned char *)PyBytes_AS_STRING(packet);
    w0 = ((unsigned long)b[0] << 8) | b[1];
    w2 = ((unsigned long)b[4] << 8) | b[5];
    if ((w0 & self->version_mask) != 0 || (Py_ssize_t)w2 + self->overhead != len) {
        return 0;
    }
    a = w0 & self->apid_mask;
    if ((Py_ssize_t)a >= self->count || !is_list_of(self->sent, self->count)
        || !is_list_of(self->received, self->count) || !is_list_of(self->boxes, self->count)) {
        return 0;
    }
    entry = PyList_GET_ITEM(self->boxes, (Py_ssize_t)a);
    nbox = 0;
    if (entry != Py_None) {
        if (!PyTuple_CheckExact(entry)) {
            return 0;
        }
        nbox = PyTuple_GET_SIZE(entry);
        for (k = 0; k < nbox; k++) {
            if (!PyList_Check(PyTuple_GET_ITEM(entry, k))) {
                return 0;
            }
        }
    }
    /* held from here: nothing that runs below can free the tuple under us */
    Py_INCREF(entry);
    if (bump(self->sent, (Py_ssize_t)a, self->one) < 0
        || PyList_Append(queue, packet) < 0
        || bump(self->received, (Py_ssize_t)a, self->one) < 0) {
        Py_DECREF(entry);
        return -1;
    }
    if (entry == Py_None) {
        self->undelivered++;
    }
    for (k = 0; k < nbox; k++) {
        if (PyList_Append(PyTuple_GET_ITEM(entry, k), packet) < 0) {
            Py_DECREF(entry);
            return -1;
        }
    }
    Py_DECREF(entry);
    return 1;
}

static PyObject *loopback_vectorcall(PyObject *callable, PyObject *const *args,
                                     size_t nargsf, PyObject *kwnames)
{
    Loopback *self = (Loopback *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    int done;

    if (nargs != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "publish() takes exactly one packet");
        return NULL;
    }
    done = loopback_fast(self, args[0]);
    if (done < 0) {
        return NULL;
    }
    if (done == 0) {
        return PyObject_CallOneArg(self->fallback, args[0]);
    }
    Py_RETURN_NONE;
}

/* 1, with a TypeError set, when ``vectorcall`` (an object's own, set at the
 * end of a successful __init__) is unset: an object made by __new__ alone,
 * or whose __init__ failed, holds nothing to work on. */
static int not_ready(vectorcallfunc vectorcall, const char *what)
{
    if (vectorcall != NULL) {
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s: not initialised (its __init__ did not complete)", what);
    return 1;
}

static int loopback_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    Loopback *self = (Loopback *)op;
    char *names[] = {"queue", "hwm", "sent", "received", "dropped", "boxes",
                            "fallback", "apid_mask", "version_mask", "overhead", NULL};
    PyObject *queue, *sent, *received, *dropped, *boxes, *fallback;
    Py_ssize_t hwm, overhead;
    unsigned long apid_mask, version_mask;
    Py_ssize_t count;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!nO!O!O!O!Okkn:Loopback", names,
                                     &PyList_Type, &queue, &hwm, &PyList_Type, &sent,
                                     &PyList_Type, &received, &PyList_Type, &dropped,
                                     &PyList_Type, &boxes, &fallback, &apid_mask,
                                     &version_mask, &overhead)) {
        return -1;
    }
    count = (Py_ssize_t)apid_mask + 1;
    if (apid_mask == 0 || apid_mask > 0xFFFFUL || (apid_mask & (apid_mask + 1)) != 0) {
        PyErr_SetString(PyExc_ValueError, "apid_mask must be 2**k - 1, at most 0xFFFF");
        return -1;
    }
    if (PyList_GET_SIZE(sent) != count || PyList_GET_SIZE(received) != count
        || PyList_GET_SIZE(dropped) != count || PyList_GET_SIZE(boxes) != count) {
        PyErr_SetString(PyExc_ValueError, "counter lists and the table need apid_mask + 1 entries");
        return -1;
    }
    if (!PyCallable_Check(fallback)) {
        PyErr_SetString(PyExc_TypeError, "fallback must be callable");
        return -1;
    }
    if (hwm <= 0 || overhead < 0) {
        PyErr_SetString(PyExc_ValueError, "hwm must be positive, overhead not negative");
        return -1;
    }
    Py_INCREF(queue);
    Py_XSETREF(self->queue, queue);
    Py_INCREF(sent);
    Py_XSETREF(self->sent, sent);
    Py_INCREF(received);
    Py_XSETREF(self->received, received);
    Py_INCREF(dropped);
    Py_XSETREF(self->dropped, dropped);
    Py_INCREF(boxes);
    Py_XSETREF(self->boxes, boxes);
    Py_INCREF(fallback);
    Py_XSETREF(self->fallback, fallback);
    Py_XSETREF(self->one, PyLong_FromLong(1));
    if (self->one == NULL) {
        return -1;
    }
    self->hwm = hwm;
    self->overhead = overhead;
    self->count = count;
    self->apid_mask = apid_mask;
    self->version_mask = version_mask;
    self->undelivered = 0;
    self->mirror = 0;
    self->vectorcall = loopback_vectorcall;
    return 0;
}

static int loopback_traverse(PyObject *op, visitproc visit, void *arg)
{
    Loopback *self = (Loopback *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->queue);
    Py_VISIT(self->sent);
    Py_VISIT(self->received);
    Py_VISIT(self->dropped);
    Py_VISIT(self->boxes);
    Py_VISIT(self->fallback);
    return 0;
}

static int loopback_clear(PyObject *op)
{
    Loopback *self = (Loopback *)op;
    Py_CLEAR(self->queue);
    Py_CLEAR(self->sent);
    Py_CLEAR(self->received);
    Py_CLEAR(self->dropped);
    Py_CLEAR(self->boxes);
    Py_CLEAR(self->fallback);
    Py_CLEAR(self->one);
    return 0;
}

static void loopback_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    (void)loopback_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *loopback_call(PyObject *op, PyObject *args, PyObject *kwds)
{
    PyObject *packet;
    char *names[] = {"packet", NULL};
    if (not_ready(((Loopback *)op)->vectorcall, "Loopback")) {
        return NULL;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:publish", names, &packet)) {
        return NULL;
    }
    return loopback_vectorcall(op, &packet, 1, NULL);
}

/* lengths[i] as publish_many's loop reads it: from a size_t buffer
 * (``lens`` non-NULL: a C index, Python's negative one wrapped), else
 * ``operator.index(lengths[i])`` (negative or not: the slice decides).
 * -1 with an exception set (PyErr_Occurred tells it from a length). */
static Py_ssize_t length_of(PyObject *lengths, const Py_buffer *lens, PyObject *index)
{
    Py_ssize_t i, count, v;
    PyObject *item;

    if (lens == NULL) {
        item = PyObject_GetItem(lengths, index);
        if (item == NULL) {
            return -1;
        }
        v = PyNumber_AsSsize_t(item, PyExc_OverflowError);
        Py_DECREF(item);
        return v;  /* -1 may be a length: the caller asks PyErr_Occurred */
    }
    i = PyNumber_AsSsize_t(index, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred()) {
        return -1;
    }
    count = lens->len / lens->itemsize;
    if (i < 0) {
        i += count;
    }
    if (i < 0 || i >= count) {
        PyErr_SetString(PyExc_IndexError, "index out of bounds on dimension 1");
        return -1;
    }
    if (((const size_t *)lens->buf)[i] > (size_t)PY_SSIZE_T_MAX) {
        PyErr_SetString(PyExc_OverflowError, "publish_many: a length beyond Py_ssize_t");
        return -1;
    }
    return (Py_ssize_t)((const size_t *)lens->buf)[i];
}

/* ``publish_many(data, lengths, which)``: for i in which, in order,
 * ``publish(data[off:off + lengths[i]])``, off moving on by lengths[i] (the
 * packets lie back to back in ``data``): each packet data's own slice (a
 * cffi buffer's or bytes' is a new bytes object), published as publish()
 * does (the fast path, else the fallback). An exception stops it there, as
 * the loop would stop.
 * ``lengths``: a C-contiguous buffer of size_t (format 'N': a memoryview
 * cast so), read in place, or any sequence of ints. */
static PyObject *loopback_publish_many(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    Loopback *self = (Loopback *)op;
    Py_buffer lens;
    const Py_buffer *lens_p = NULL;
    PyObject *which = NULL, *res = NULL;
    Py_ssize_t k, off = 0;

    if (not_ready(((Loopback *)op)->vectorcall, "Loopback")) {
        return NULL;
    }
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "publish_many(data, lengths, which)");
        return NULL;
    }
    if (PyObject_CheckBuffer(args[1])) {
        if (PyObject_GetBuffer(args[1], &lens, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
            return NULL;
        }
        if (lens.itemsize == (Py_ssize_t)sizeof(size_t) && lens.format != NULL
            && (strcmp(lens.format, "N") == 0 || strcmp(lens.format, "@N") == 0)) {
            lens_p = &lens;
        } else {
            PyBuffer_Release(&lens);  /* another buffer: indexed as a sequence */
        }
    }
    which = PySequence_Fast(args[2], "publish_many: which must be a sequence of indices");
    if (which == NULL) {
        goto done;
    }
    /* a list is iterated as ``for`` does: by index, up to its current length */
    for (k = 0; k < PySequence_Fast_GET_SIZE(which); k++) {
        PyObject *packet, *index = Py_NewRef(PySequence_Fast_GET_ITEM(which, k));
        Py_ssize_t len = length_of(args[1], lens_p, index), end;
        int r;
        Py_DECREF(index);
        if (len == -1 && PyErr_Occurred()) {
            goto done;
        }
        if ((len > 0 && len > PY_SSIZE_T_MAX - off) || (len < 0 && off < PY_SSIZE_T_MIN - len)) {
            PyErr_SetString(PyExc_OverflowError, "publish_many: lengths beyond Py_ssize_t");
            goto done;
        }
        end = off + len;
        packet = PySequence_GetSlice(args[0], off, end);  /* data[off:end] */
        if (packet == NULL) {
            goto done;
        }
        r = loopback_fast(self, packet);
        if (r == 0) {
            PyObject *out = PyObject_CallOneArg(self->fallback, packet);
            r = out == NULL ? -1 : 1;
            Py_XDECREF(out);
        }
        Py_DECREF(packet);
        if (r < 0) {
            goto done;
        }
        off = end;
    }
    res = Py_NewRef(Py_None);
done:
    Py_XDECREF(which);
    if (lens_p != NULL) {
        PyBuffer_Release(&lens);
    }
    return res;
}

static PyMethodDef loopback_methods[] = {
    {"publish_many", (PyCFunction)(void (*)(void))loopback_publish_many, METH_FASTCALL,
     "publish_many(data, lengths, which): the packets data[off:off + lengths[i]] for i in "
     "which, back to back, each as publish() does."},
    {NULL, NULL, 0, NULL},
};

static PyObject *loopback_get_boxes(PyObject *op, void *closure)
{
    Loopback *self = (Loopback *)op;
    (void)closure;
    if (self->boxes == NULL) {
        Py_RETURN_NONE;
    }
    Py_INCREF(self->boxes);
    return self->boxes;
}

static int loopback_set_boxes(PyObject *op, PyObject *value, void *closure)
{
    Loopback *self = (Loopback *)op;
    (void)closure;
    if (value == NULL || !is_list_of(value, self->count)) {
        PyErr_SetString(PyExc_ValueError, "boxes: a list of apid_mask + 1 entries");
        return -1;
    }
    Py_INCREF(value);
    Py_XSETREF(self->boxes, value);
    return 0;
}

static PyMemberDef loopback_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Loopback, vectorcall), READONLY, NULL},
    {"undelivered", T_PYSSIZET, offsetof(Loopback, undelivered), 0,
     "packets queued whose table entry is None"},
    {"mirror", T_BOOL, offsetof(Loopback, mirror), 0,
     "a tap is connected: every packet takes the fallback"},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef loopback_getset[] = {
    {"boxes", loopback_get_boxes, loopback_set_boxes, "the delivery table", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot loopback_slots[] = {
    {Py_tp_doc, (void *)"A local bus's publish: the fast path of Bus._publish_local."},
    {Py_tp_init, (void *)loopback_init},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_call, (void *)loopback_call},
    {Py_tp_traverse, (void *)loopback_traverse},
    {Py_tp_clear, (void *)loopback_clear},
    {Py_tp_dealloc, (void *)loopback_dealloc},
    {Py_tp_members, (void *)loopback_members},
    {Py_tp_getset, (void *)loopback_getset},
    {Py_tp_methods, (void *)loopback_methods},
    {0, NULL},
};

static PyType_Spec loopback_spec = {
    "fsw._hotpath.Loopback", sizeof(Loopback), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    loopback_slots,
};

/* ----------------------------------------------------------- Dispatcher */

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *seen_p;
    PyObject *seen_by;
    PyObject *seen_rec;
    PyObject *error;
    Py_ssize_t count;
    unsigned long apid_mask;
    char in_parse;
} Dispatcher;

/* The pending exception, normalised, its traceback attached (a new
 * reference; None if, impossibly, none is pending); the error indicator
 * is cleared. */
static PyObject *take_raised(void)
{
    PyObject *value;
#if PY_VERSION_HEX >= 0x030C0000
    value = PyErr_GetRaisedException();
#else
    PyObject *type, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL) {
        (void)PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
#endif
    if (value == NULL) {  /* cannot happen with an exception pending */
        value = Py_NewRef(Py_None);
    }
    return value;
}

/* Raise ``value`` (taken by take_raised) again; steals the reference. */
static void raise_again(PyObject *value)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(value);
#else
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(value)), value,
                  PyException_GetTraceback(value));
#endif
}

/* Keep the pending Exception (with its traceback) in self->error. */
static void keep_error(Dispatcher *self, int in_parse)
{
    Py_XSETREF(self->error, take_raised());
    self->in_parse = (char)in_parse;
}

/* One packet: 1 handed on, 0 unusual (Python takes it), -1 an Exception
 * kept in self->error, -2 a BaseException pending. */
static int dispatch_one(Dispatcher *self, PyObject *p, PyObject *dispatch, PyObject *parsers)
{
    const unsigned char *b;
    Py_ssize_t a;
    PyObject *h, *parse, *rec, *res;
    int in_parse = 0;

    if (!PyBytes_CheckExact(p) || PyBytes_GET_SIZE(p) < 2) {
        return 0;
    }
    b = (const unsigned char *)PyBytes_AS_STRING(p);
    a = (Py_ssize_t)((((unsigned long)b[0] << 8) | b[1]) & self->apid_mask);
    if (a >= PyList_GET_SIZE(dispatch) || a >= PyList_GET_SIZE(parsers)
        || !is_list_of(self->seen_p, self->count) || !is_list_of(self->seen_by, self->count)
        || !is_list_of(self->seen_rec, self->count)) {
        return 0;
    }
    h = PyList_GET_ITEM(dispatch, a);
    if (h == Py_None) {
        return 1;
    }
    parse = PyList_GET_ITEM(parsers, a);
    Py_INCREF(h);
    if (parse == Py_None) {
        res = PyObject_CallOneArg(h, p);
    } else if (PyList_GET_ITEM(self->seen_p, a) == p
               && PyList_GET_ITEM(self->seen_by, a) == parse) {
        rec = Py_NewRef(PyList_GET_ITEM(self->seen_rec, a));
        res = PyObject_CallOneArg(h, rec);
        Py_DECREF(rec);
    } else {
        Py_INCREF(parse);
        rec = PyObject_CallOneArg(parse, p);
        if (rec == NULL) {
            Py_DECREF(parse);
            in_parse = 1;
            res = NULL;
        } else if (!is_list_of(self->seen_p, self->count) || !is_list_of(self->seen_by, self->count)
                   || !is_list_of(self->seen_rec, self->count)) {
            /* the parser resized a cache list: Python's store would raise */
            Py_DECREF(parse);
            Py_DECREF(rec);
            PyErr_SetString(PyExc_IndexError, "list assignment index out of range");
            res = NULL;
        } else {
            /* the three stores of ``seen_p[a], seen_by[a], seen_rec[a] = ...``;
             * the lists were checked above and nothing ran since */
            PyObject *old_p = PyList_GET_ITEM(self->seen_p, a);
            PyObject *old_by = PyList_GET_ITEM(self->seen_by, a);
            PyObject *old_rec = PyList_GET_ITEM(self->seen_rec, a);
            PyList_SET_ITEM(self->seen_p, a, Py_NewRef(p));
            PyList_SET_ITEM(self->seen_by, a, parse);  /* the reference taken above */
            PyList_SET_ITEM(self->seen_rec, a, Py_NewRef(rec));
            Py_DECREF(old_p);
            Py_DECREF(old_by);
            Py_DECREF(old_rec);
            res = PyObject_CallOneArg(h, rec);
            Py_DECREF(rec);
        }
    }
    Py_DECREF(h);
    if (res == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) {
            return -2;
        }
        keep_error(self, in_parse);
        return -1;
    }
    Py_DECREF(res);
    return 1;
}

/* The delivery loop over inbox[start:n]: the index it stopped at (see the
 * contract), or -1 with a BaseException pending. The kept error is cleared
 * first, whatever the lists are. */
static Py_ssize_t dispatcher_loop(Dispatcher *self, PyObject *inbox, Py_ssize_t start,
                                  Py_ssize_t n, PyObject *dispatch, PyObject *parsers)
{
    Py_ssize_t i;

    Py_CLEAR(self->error);
    self->in_parse = 0;
    if (!PyList_CheckExact(inbox) || !PyList_CheckExact(dispatch) || !PyList_CheckExact(parsers)) {
        return start;  /* unusual: all of it in Python */
    }
    for (i = start; i < n; i++) {
        PyObject *p;
        int r;
        if (i >= PyList_GET_SIZE(inbox)) {
            break;  /* the inbox shrank: Python raises what it raises */
        }
        p = Py_NewRef(PyList_GET_ITEM(inbox, i));
        r = dispatch_one(self, p, dispatch, parsers);
        Py_DECREF(p);
        if (r == 1) {
            continue;
        }
        if (r == -2) {
            return -1;
        }
        break;  /* 0: unusual, -1: an Exception kept */
    }
    return i;
}

static PyObject *dispatcher_vectorcall(PyObject *callable, PyObject *const *args,
                                       size_t nargsf, PyObject *kwnames)
{
    Dispatcher *self = (Dispatcher *)callable;
    Py_ssize_t start, n, i;

    if (PyVectorcall_NARGS(nargsf) != 5 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "deliver(inbox, start, n, dispatch, parsers)");
        return NULL;
    }
    start = PyLong_AsSsize_t(args[1]);
    if (start == -1 && PyErr_Occurred()) {
        return NULL;
    }
    n = PyLong_AsSsize_t(args[2]);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    i = dispatcher_loop(self, args[0], start, n, args[3], args[4]);
    return i < 0 ? NULL : PyLong_FromSsize_t(i);
}

static int dispatcher_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    Dispatcher *self = (Dispatcher *)op;
    char *names[] = {"seen_p", "seen_by", "seen_rec", "apid_mask", NULL};
    PyObject *seen_p, *seen_by, *seen_rec;
    unsigned long apid_mask;
    Py_ssize_t count;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!k:Dispatcher", names,
                                     &PyList_Type, &seen_p, &PyList_Type, &seen_by,
                                     &PyList_Type, &seen_rec, &apid_mask)) {
        return -1;
    }
    if (apid_mask == 0 || apid_mask > 0xFFFFUL || (apid_mask & (apid_mask + 1)) != 0) {
        PyErr_SetString(PyExc_ValueError, "apid_mask must be 2**k - 1, at most 0xFFFF");
        return -1;
    }
    count = (Py_ssize_t)apid_mask + 1;
    if (PyList_GET_SIZE(seen_p) != count || PyList_GET_SIZE(seen_by) != count
        || PyList_GET_SIZE(seen_rec) != count) {
        PyErr_SetString(PyExc_ValueError, "the parse-once lists need apid_mask + 1 entries");
        return -1;
    }
    Py_INCREF(seen_p);
    Py_XSETREF(self->seen_p, seen_p);
    Py_INCREF(seen_by);
    Py_XSETREF(self->seen_by, seen_by);
    Py_INCREF(seen_rec);
    Py_XSETREF(self->seen_rec, seen_rec);
    Py_CLEAR(self->error);
    self->count = count;
    self->apid_mask = apid_mask;
    self->in_parse = 0;
    self->vectorcall = dispatcher_vectorcall;
    return 0;
}

static int dispatcher_traverse(PyObject *op, visitproc visit, void *arg)
{
    Dispatcher *self = (Dispatcher *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->seen_p);
    Py_VISIT(self->seen_by);
    Py_VISIT(self->seen_rec);
    Py_VISIT(self->error);
    return 0;
}

static int dispatcher_clear(PyObject *op)
{
    Dispatcher *self = (Dispatcher *)op;
    Py_CLEAR(self->seen_p);
    Py_CLEAR(self->seen_by);
    Py_CLEAR(self->seen_rec);
    Py_CLEAR(self->error);
    return 0;
}

static void dispatcher_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    (void)dispatcher_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *dispatcher_call(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (not_ready(((Dispatcher *)op)->vectorcall, "Dispatcher")) {
        return NULL;
    }
    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "deliver() takes no keywords");
        return NULL;
    }
    return dispatcher_vectorcall(op, &PyTuple_GET_ITEM(args, 0),
                                 (size_t)PyTuple_GET_SIZE(args), NULL);
}

static PyObject *dispatcher_take_error(PyObject *op, PyObject *unused)
{
    Dispatcher *self = (Dispatcher *)op;
    PyObject *error, *out;
    if (not_ready(self->vectorcall, "Dispatcher")) {
        return NULL;
    }
    (void)unused;
    error = self->error != NULL ? self->error : Py_NewRef(Py_None);
    self->error = NULL;
    out = Py_BuildValue("(NO)", error, self->in_parse ? Py_True : Py_False);
    self->in_parse = 0;
    return out;
}

static PyMethodDef dispatcher_methods[] = {
    {"take_error", dispatcher_take_error, METH_NOARGS,
     "(error, in_parse) of the packet the last call stopped at; clears them."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef dispatcher_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Dispatcher, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot dispatcher_slots[] = {
    {Py_tp_doc, (void *)"The executive's delivery loop: the fast path of Executive._deliver."},
    {Py_tp_init, (void *)dispatcher_init},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_call, (void *)dispatcher_call},
    {Py_tp_traverse, (void *)dispatcher_traverse},
    {Py_tp_clear, (void *)dispatcher_clear},
    {Py_tp_dealloc, (void *)dispatcher_dealloc},
    {Py_tp_members, (void *)dispatcher_members},
    {Py_tp_methods, (void *)dispatcher_methods},
    {0, NULL},
};

static PyType_Spec dispatcher_spec = {
    "fsw._hotpath.Dispatcher", sizeof(Dispatcher), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    dispatcher_slots,
};

/* --------------------------------------------------------------- Ticker */

/* What the Ticker reads and writes of a participant's bookkeeping (the
 * executive's _Slot attributes). */
enum {
    A_STATE, A_OPENED, A_CONSECUTIVE, A_STEPS, A_DISPATCH, A_PARSERS, A_STEP,
    A_STOP, A_TICK, A_T, A_COUNT
};
static const char *const attr_names[A_COUNT] = {
    "state", "opened", "consecutive", "steps", "dispatch", "parsers", "step",
    "_stop_requested", "tick", "t",
};

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *slots;      /* tuple: the participants' _Slot objects, in order */
    PyObject *objs;       /* tuple: their participants (slot.obj) */
    PyObject *inboxes;    /* tuple: their inboxes (lists) */
    PyObject *dispatcher; /* the executive's Dispatcher */
    PyObject *settle, *turn, *deliver_rest, *step_failed, *heartbeat;
    PyObject *clock;      /* None, or a clock in ns: the fast turns are timed */
    PyObject *one;
    PyObject *names[A_COUNT];
    long long *every;     /* per slot: its step period in ticks */
    long long *hb_every;  /* per slot: its heartbeat period in ticks (0: none) */
    char *settle_first;   /* per slot: the stream is settled before its turn */
    long long *stats;     /* per slot, with a clock: see S_* */
    Py_ssize_t n;
    long nominal;
    /* The participants' type (all of one: the executive's _Slot) and, per
     * attribute of it the turns read or write, the offset of its plain
     * __slots__ member (-1: none; the generic look-up), valid while the
     * type is unchanged: its version tag is the one seen at init. */
    PyTypeObject *slot_type;
    unsigned int slot_tag;
    Py_ssize_t slot_off[A_COUNT];
} Ticker;

/* 1: ``slot`` is of the type whose members were found at init and the type
 * is unchanged since (its version tag): a member is at its offset. */
static int slot_plain(const Ticker *self, PyObject *slot)
{
    PyTypeObject *tp = Py_TYPE(slot);
    return tp == self->slot_type && PyType_HasFeature(tp, Py_TPFLAGS_VALID_VERSION_TAG)
           && tp->tp_version_tag == self->slot_tag;
}

/* slot.<attribute a> (a new reference, or NULL with an exception set): the
 * __slots__ member read in place where that is what the look-up would do,
 * else PyObject_GetAttr (an unset member: its AttributeError). */
static PyObject *slot_get(const Ticker *self, PyObject *slot, int a)
{
    if (self->slot_off[a] >= 0 && slot_plain(self, slot)) {
        PyObject *v = *(PyObject **)((char *)slot + self->slot_off[a]);
        if (v != NULL) {
            return Py_NewRef(v);
        }
    }
    return PyObject_GetAttr(slot, self->names[a]);
}

/* slot.<attribute a> = v: 0, or -1 with an exception set (as slot_get). */
static int slot_set(const Ticker *self, PyObject *slot, int a, PyObject *v)
{
    if (self->slot_off[a] >= 0 && slot_plain(self, slot)) {
        PyObject **at = (PyObject **)((char *)slot + self->slot_off[a]);
        PyObject *old = *at;
        *at = Py_NewRef(v);
        Py_XDECREF(old);
        return 0;
    }
    return PyObject_SetAttr(slot, self->names[a], v);
}

/* Find the plain __slots__ members of the participants' type (all the
 * plan's slots of one exact type, with the generic attribute access, each
 * name a T_OBJECT_EX member descriptor found first in its MRO); any other
 * case leaves every offset -1 (the generic look-up). */
static void slot_members(Ticker *self)
{
    PyTypeObject *tp;
    Py_ssize_t i;
    int a;
    for (a = 0; a < A_COUNT; a++) {
        self->slot_off[a] = -1;
    }
    self->slot_type = NULL;
    if (self->n == 0) {
        return;
    }
    tp = Py_TYPE(PyTuple_GET_ITEM(self->slots, 0));
    for (i = 1; i < self->n; i++) {
        if (Py_TYPE(PyTuple_GET_ITEM(self->slots, i)) != tp) {
            return;
        }
    }
    if (tp->tp_getattro != PyObject_GenericGetAttr || tp->tp_setattro != PyObject_GenericSetAttr) {
        return;
    }
    for (a = 0; a < A_COUNT; a++) {
        PyObject *d = _PyType_Lookup(tp, self->names[a]); /* borrowed; sets the version tag */
        if (d != NULL && Py_IS_TYPE(d, &PyMemberDescr_Type)) {
            PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
            if (m->type == T_OBJECT_EX && !(m->flags & READONLY)
                && PyType_IsSubtype(tp, ((PyDescrObject *)d)->d_type)) {
                self->slot_off[a] = m->offset;
            }
        }
    }
    if (!PyType_HasFeature(tp, Py_TPFLAGS_VALID_VERSION_TAG)) {
        for (a = 0; a < A_COUNT; a++) {
            self->slot_off[a] = -1;
        }
        return;
    }
    self->slot_type = tp;
    self->slot_tag = tp->tp_version_tag;
}

/* per slot, of the turns run here: turns, deliveries, packets, ns of the
 * turns, ns of their deliveries */
enum { S_TURNS, S_DELIVERIES, S_PACKETS, S_TURN_NS, S_DELIVER_NS, S_COUNT };

/* The clock's reading in ns, or -1 with an exception set. */
static long long ticker_now(Ticker *self)
{
    PyObject *r = PyObject_CallNoArgs(self->clock);
    long long v;
    if (r == NULL) {
        return -1;
    }
    v = PyLong_AsLongLong(r);
    Py_DECREF(r);
    return (v == -1 && PyErr_Occurred()) ? -1 : v;
}

/* 1: the participant is nominal and opened; 0: not (or not plainly so:
 * Python decides); -1: an exception. */
static int ticker_nominal_open(Ticker *self, PyObject *slot)
{
    PyObject *state, *opened;
    long v;
    int overflow, yes;

    state = slot_get(self, slot, A_STATE);
    if (state == NULL) {
        return -1;
    }
    yes = 0;
    if (PyLong_CheckExact(state)) {
        v = PyLong_AsLongAndOverflow(state, &overflow);
        yes = !overflow && v == self->nominal;
    }
    Py_DECREF(state);
    if (!yes) {
        return 0;
    }
    opened = slot_get(self, slot, A_OPENED);
    if (opened == NULL) {
        return -1;
    }
    yes = opened == Py_True;
    Py_DECREF(opened);
    return yes;
}

/* 1: slot.consecutive is the int 0; 0: it is not; -1: an exception. */
static int ticker_no_streak(Ticker *self, PyObject *slot)
{
    PyObject *c = slot_get(self, slot, A_CONSECUTIVE);
    int yes = 0, overflow;
    if (c == NULL) {
        return -1;
    }
    if (PyLong_CheckExact(c)) {
        long v = PyLong_AsLongAndOverflow(c, &overflow);
        yes = !overflow && v == 0;
    }
    Py_DECREF(c);
    return yes;
}

/* Call f(args...) and drop the result: 0, or -1 with an exception set. */
static int call_drop(PyObject *f, PyObject *const *args, size_t nargs)
{
    PyObject *r = PyObject_Vectorcall(f, args, nargs, NULL);
    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

/* The inbox's first n packets handed on (the delivery of Executive._turn,
 * its C loop then, where it stopped, deliver_rest): 1 the turn goes on, 0
 * it ends (a fault), -1 an exception. */
static int ticker_deliver(Ticker *self, PyObject *slot, PyObject *inbox, Py_ssize_t n,
                          PyObject *k)
{
    PyObject *dispatch, *parsers, *r;
    Py_ssize_t stop;
    int ok;

    dispatch = slot_get(self, slot, A_DISPATCH);
    if (dispatch == NULL) {
        return -1;
    }
    parsers = slot_get(self, slot, A_PARSERS);
    if (parsers == NULL) {
        Py_DECREF(dispatch);
        return -1;
    }
    stop = dispatcher_loop((Dispatcher *)self->dispatcher, inbox, 0, n, dispatch, parsers);
    Py_DECREF(dispatch);
    Py_DECREF(parsers);
    if (stop < 0) {  /* a BaseException: the packets go all the same (_deliver's finally) */
        PyObject *exc = take_raised();
        int cut = PyList_SetSlice(inbox, 0, n, NULL);
        if (cut < 0) {
            Py_DECREF(exc);
            return -1;
        }
        raise_again(exc);
        return -1;
    }
    if (stop >= n) {
        return PyList_SetSlice(inbox, 0, n, NULL) < 0 ? -1 : 1;
    }
    {
        PyObject *args[4];
        PyObject *start = PyLong_FromSsize_t(stop), *count = PyLong_FromSsize_t(n);
        if (start == NULL || count == NULL) {
            Py_XDECREF(start);
            Py_XDECREF(count);
            return -1;
        }
        args[0] = slot;
        args[1] = k;
        args[2] = start;
        args[3] = count;
        r = PyObject_Vectorcall(self->deliver_rest, args, 4, NULL);
        Py_DECREF(start);
        Py_DECREF(count);
    }
    if (r == NULL) {
        return -1;
    }
    ok = PyObject_IsTrue(r);
    Py_DECREF(r);
    return ok;
}

/* One turn of a nominal, opened participant with no fault streak: its
 * inbox, its step if due (counted), its heartbeat if due. 0, or -1 with an
 * exception set. */
static int ticker_turn(Ticker *self, Py_ssize_t i, PyObject *slot, PyObject *inbox,
                       PyObject *k, PyObject *t, int step_due, int hb_due)
{
    Py_ssize_t n = PyList_GET_SIZE(inbox);
    long long t0 = 0, t1 = 0;
    long long *st = self->stats != NULL ? self->stats + S_COUNT * i : NULL;

    if (st != NULL && (t0 = ticker_now(self)) < 0) {
        return -1;
    }
    if (n > 0) {
        int ok = ticker_deliver(self, slot, inbox, n, k);
        if (st != NULL) {
            if ((t1 = ticker_now(self)) < 0) {
                return -1;
            }
            st[S_DELIVERIES] += 1;
            st[S_PACKETS] += n;
            st[S_DELIVER_NS] += t1 - t0;
        }
        if (ok < 0) {
            return -1;
        }
        if (ok == 0) {
            goto timed;  /* a handler's fault ended the turn */
        }
    }
    if (step_due) {
        /* obj.step(t); args[0] is free for the callee (ARGUMENTS_OFFSET) */
        PyObject *args[3] = {NULL, PyTuple_GET_ITEM(self->objs, i), t};
        PyObject *r = PyObject_VectorcallMethod(self->names[A_STEP], args + 1,
                                                2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        if (r == NULL) {
            PyObject *exc, *fargs[3];
            int failed;
            if (!PyErr_ExceptionMatches(PyExc_Exception)) {
                return -1;
            }
            exc = take_raised();
            fargs[0] = slot;
            fargs[1] = exc;
            fargs[2] = k;
            failed = call_drop(self->step_failed, fargs, 3);
            Py_DECREF(exc);
            if (failed < 0) {
                return -1;
            }
            goto timed;  /* the step's fault ended the turn */
        }
        Py_DECREF(r);
        {
            PyObject *steps = slot_get(self, slot, A_STEPS), *more;
            int set;
            if (steps == NULL) {
                return -1;
            }
            more = PyNumber_InPlaceAdd(steps, self->one);
            Py_DECREF(steps);
            if (more == NULL) {
                return -1;
            }
            set = slot_set(self, slot, A_STEPS, more);
            Py_DECREF(more);
            if (set < 0) {
                return -1;
            }
        }
    }
    if (hb_due && call_drop(self->heartbeat, &slot, 1) < 0) {
        return -1;
    }
timed:
    if (st != NULL) {
        long long t2 = ticker_now(self);
        if (t2 < 0) {
            return -1;
        }
        st[S_TURNS] += 1;
        st[S_TURN_NS] += t2 - t0;
    }
    return 0;
}

/* The turns of tick k (``kk`` its value) at time t: 0, or -1 with an
 * exception set. */
static int ticker_tick(Ticker *self, PyObject *k, long long kk, PyObject *t)
{
    Py_ssize_t i;

    for (i = 0; i < self->n; i++) {
        PyObject *slot = PyTuple_GET_ITEM(self->slots, i);
        PyObject *inbox = PyTuple_GET_ITEM(self->inboxes, i);
        long long hb = self->hb_every[i];
        int step_due = kk % self->every[i] == 0;
        int hb_due = hb != 0 && kk % hb == 0;
        int common;

        if (self->settle_first[i] && call_drop(self->settle, NULL, 0) < 0) {
            return -1;
        }
        common = ticker_nominal_open(self, slot);
        if (common < 0) {
            return -1;
        }
        /* an idle turn does nothing: the loop of Executive._lead skips it */
        if (common && PyList_GET_SIZE(inbox) == 0 && !step_due && !hb_due) {
            continue;
        }
        if (common) {
            common = ticker_no_streak(self, slot);
            if (common < 0) {
                return -1;
            }
        }
        if (!common) {  /* anything else: Executive._turn, the reference */
            PyObject *targs[2] = {slot, k};
            if (call_drop(self->turn, targs, 2) < 0) {
                return -1;
            }
            continue;
        }
        if (ticker_turn(self, i, slot, inbox, k, t, step_due, hb_due) < 0) {
            return -1;
        }
    }
    return 0;
}

static PyObject *ticker_vectorcall(PyObject *callable, PyObject *const *args,
                                   size_t nargsf, PyObject *kwnames)
{
    Ticker *self = (Ticker *)callable;
    long long kk;

    if (PyVectorcall_NARGS(nargsf) != 2 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "ticker(k, t)");
        return NULL;
    }
    kk = PyLong_AsLongLong(args[0]);
    if (kk == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (kk < 0) {
        PyErr_SetString(PyExc_ValueError, "ticker(k, t): a tick index is not negative");
        return NULL;
    }
    if (ticker_tick(self, args[0], kk, args[1]) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* ``run(node, ticks, t0, dt, time_every, clock_packet)``: the clock owner's
 * loop of Executive._lead over whole ticks (a local lockstep, no pacing,
 * no intake, no hand-over): from k = 0 while ``k < ticks`` and not
 * ``node._stop_requested``: ``node.tick = k``, ``node.t = t = t0 + k * dt``,
 * ``clock_packet(k, t)`` when ``k % time_every == 0`` (the TIME packet), the
 * tick's first settle, its turns (as ``ticker(k, t)``). Returns the ticks
 * run, k; an exception leaves it as it would leave the Python loop. */
static PyObject *ticker_run(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    Ticker *self = (Ticker *)op;
    PyObject *node, *clock_packet;
    long long ticks, time_every, kk;
    double t0, dt;

    if (not_ready(((Ticker *)op)->vectorcall, "Ticker")) {
        return NULL;
    }
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "run(node, ticks, t0, dt, time_every, clock_packet)");
        return NULL;
    }
    node = args[0];
    clock_packet = args[5];
    ticks = PyLong_AsLongLong(args[1]);
    if (ticks == -1 && PyErr_Occurred()) {
        return NULL;
    }
    time_every = PyLong_AsLongLong(args[4]);
    if (time_every == -1 && PyErr_Occurred()) {
        return NULL;
    }
    t0 = PyFloat_AsDouble(args[2]);
    if (t0 == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    dt = PyFloat_AsDouble(args[3]);
    if (dt == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    if (!PyFloat_CheckExact(args[2]) || !PyFloat_CheckExact(args[3]) || time_every <= 0
        || !PyCallable_Check(clock_packet)) {
        PyErr_SetString(PyExc_TypeError, "run: t0 and dt floats, time_every > 0, clock_packet "
                                         "callable");
        return NULL;
    }
    for (kk = 0; kk < ticks; kk++) {
        PyObject *stop = PyObject_GetAttr(node, self->names[A_STOP]), *k, *t;
        int halt, rc;
        if (stop == NULL) {
            return NULL;
        }
        halt = PyObject_IsTrue(stop);
        Py_DECREF(stop);
        if (halt < 0) {
            return NULL;
        }
        if (halt) {
            break;
        }
        k = PyLong_FromLongLong(kk);
        if (k == NULL) {
            return NULL;
        }
        t = PyFloat_FromDouble(t0 + (double)kk * dt); /* t0 + k * dt, as Python does it */
        if (t == NULL) {
            Py_DECREF(k);
            return NULL;
        }
        rc = PyObject_SetAttr(node, self->names[A_TICK], k) < 0
             || PyObject_SetAttr(node, self->names[A_T], t) < 0 ? -1 : 0;
        if (rc == 0 && kk % time_every == 0) {
            PyObject *cargs[2] = {k, t};
            rc = call_drop(clock_packet, cargs, 2);
        }
        if (rc == 0) {
            rc = call_drop(self->settle, NULL, 0);
        }
        if (rc == 0) {
            rc = ticker_tick(self, k, kk, t);
        }
        Py_DECREF(k);
        Py_DECREF(t);
        if (rc < 0) {
            return NULL;
        }
    }
    return PyLong_FromLongLong(kk);
}

static PyObject *ticker_stats(PyObject *op, PyObject *unused)
{
    Ticker *self = (Ticker *)op;
    PyObject *out;
    Py_ssize_t i;
    if (not_ready(((Ticker *)op)->vectorcall, "Ticker")) {
        return NULL;
    }
    (void)unused;
    if (self->stats == NULL) {
        Py_RETURN_NONE;
    }
    out = PyList_New(self->n);
    if (out == NULL) {
        return NULL;
    }
    for (i = 0; i < self->n; i++) {
        const long long *st = self->stats + S_COUNT * i;
        PyObject *row = Py_BuildValue("(LLLLL)", st[S_TURNS], st[S_DELIVERIES], st[S_PACKETS],
                                      st[S_TURN_NS], st[S_DELIVER_NS]);
        if (row == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, row);
    }
    return out;
}

static int ticker_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    Ticker *self = (Ticker *)op;
    char *names[] = {"plan", "dispatcher", "settle", "turn", "deliver_rest", "step_failed",
                     "heartbeat", "nominal", "clock", NULL};
    PyObject *plan, *dispatcher, *settle, *turn, *deliver_rest, *step_failed, *heartbeat;
    PyObject *clock = Py_None, *seq = NULL, *slots = NULL, *objs = NULL, *inboxes = NULL;
    long nominal;
    Py_ssize_t n, i, a;
    int rc = -1;

    if (self->slots != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a Ticker is initialised once");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOl|O:Ticker", names, &plan, &dispatcher,
                                     &settle, &turn, &deliver_rest, &step_failed, &heartbeat,
                                     &nominal, &clock)) {
        return -1;
    }
    if (PyType_GetSlot(Py_TYPE(dispatcher), Py_tp_init) != (void *)dispatcher_init) {
        PyErr_SetString(PyExc_TypeError, "dispatcher must be a Dispatcher");
        return -1;
    }
    if (!PyCallable_Check(settle) || !PyCallable_Check(turn) || !PyCallable_Check(deliver_rest)
        || !PyCallable_Check(step_failed) || !PyCallable_Check(heartbeat)
        || (clock != Py_None && !PyCallable_Check(clock))) {
        PyErr_SetString(PyExc_TypeError, "settle, turn, deliver_rest, step_failed, heartbeat "
                                         "and clock (or None) must be callable");
        return -1;
    }
    /* what a failed earlier call left */
    PyMem_Free(self->every);
    PyMem_Free(self->hb_every);
    PyMem_Free(self->settle_first);
    PyMem_Free(self->stats);
    self->every = self->hb_every = self->stats = NULL;
    self->settle_first = NULL;
    seq = PySequence_Fast(plan, "plan: a sequence of (slot, obj, inbox, every, hb_every, "
                                "settle_first)");
    if (seq == NULL) {
        return -1;
    }
    n = PySequence_Fast_GET_SIZE(seq);
    slots = PyTuple_New(n);
    objs = PyTuple_New(n);
    inboxes = PyTuple_New(n);
    self->every = PyMem_Calloc((size_t)(n > 0 ? n : 1), sizeof(long long));
    self->hb_every = PyMem_Calloc((size_t)(n > 0 ? n : 1), sizeof(long long));
    self->settle_first = PyMem_Calloc((size_t)(n > 0 ? n : 1), 1);
    if (clock != Py_None) {
        self->stats = PyMem_Calloc((size_t)(n > 0 ? n : 1) * S_COUNT, sizeof(long long));
    }
    if (slots == NULL || objs == NULL || inboxes == NULL || self->every == NULL
        || self->hb_every == NULL || self->settle_first == NULL
        || (clock != Py_None && self->stats == NULL)) {
        PyErr_NoMemory();
        goto done;
    }
    for (i = 0; i < n; i++) {
        PyObject *row = PySequence_Fast_GET_ITEM(seq, i), *slot, *obj, *inbox;
        long long every, hb;
        int first;
        if (!PyArg_ParseTuple(row, "OOO!LLp:plan row", &slot, &obj, &PyList_Type, &inbox,
                              &every, &hb, &first)) {
            goto done;
        }
        if (every <= 0 || hb < 0) {
            PyErr_SetString(PyExc_ValueError, "plan: every > 0, hb_every >= 0");
            goto done;
        }
        PyTuple_SET_ITEM(slots, i, Py_NewRef(slot));
        PyTuple_SET_ITEM(objs, i, Py_NewRef(obj));
        PyTuple_SET_ITEM(inboxes, i, Py_NewRef(inbox));
        self->every[i] = every;
        self->hb_every[i] = hb;
        self->settle_first[i] = (char)first;
    }
    for (a = 0; a < A_COUNT; a++) {
        Py_XSETREF(self->names[a], PyUnicode_InternFromString(attr_names[a]));
        if (self->names[a] == NULL) {
            goto done;
        }
    }
    Py_XSETREF(self->one, PyLong_FromLong(1));
    if (self->one == NULL) {
        goto done;
    }
    self->slots = Py_NewRef(slots);
    self->objs = Py_NewRef(objs);
    self->inboxes = Py_NewRef(inboxes);
    self->dispatcher = Py_NewRef(dispatcher);
    self->settle = Py_NewRef(settle);
    self->turn = Py_NewRef(turn);
    self->deliver_rest = Py_NewRef(deliver_rest);
    self->step_failed = Py_NewRef(step_failed);
    self->heartbeat = Py_NewRef(heartbeat);
    self->clock = Py_NewRef(clock);
    self->n = n;
    self->nominal = nominal;
    slot_members(self);
    self->vectorcall = ticker_vectorcall;
    rc = 0;
done:
    Py_XDECREF(seq);
    Py_XDECREF(slots);
    Py_XDECREF(objs);
    Py_XDECREF(inboxes);
    return rc;
}

static int ticker_traverse(PyObject *op, visitproc visit, void *arg)
{
    Ticker *self = (Ticker *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->slots);
    Py_VISIT(self->objs);
    Py_VISIT(self->inboxes);
    Py_VISIT(self->dispatcher);
    Py_VISIT(self->settle);
    Py_VISIT(self->turn);
    Py_VISIT(self->deliver_rest);
    Py_VISIT(self->step_failed);
    Py_VISIT(self->heartbeat);
    Py_VISIT(self->clock);
    return 0;
}

static int ticker_clear(PyObject *op)
{
    Ticker *self = (Ticker *)op;
    Py_ssize_t a;
    Py_CLEAR(self->slots);
    Py_CLEAR(self->objs);
    Py_CLEAR(self->inboxes);
    Py_CLEAR(self->dispatcher);
    Py_CLEAR(self->settle);
    Py_CLEAR(self->turn);
    Py_CLEAR(self->deliver_rest);
    Py_CLEAR(self->step_failed);
    Py_CLEAR(self->heartbeat);
    Py_CLEAR(self->clock);
    Py_CLEAR(self->one);
    for (a = 0; a < A_COUNT; a++) {
        Py_CLEAR(self->names[a]);
    }
    self->n = 0;
    return 0;
}

static void ticker_dealloc(PyObject *op)
{
    Ticker *self = (Ticker *)op;
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    (void)ticker_clear(op);
    PyMem_Free(self->every);
    PyMem_Free(self->hb_every);
    PyMem_Free(self->settle_first);
    PyMem_Free(self->stats);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *ticker_call(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (not_ready(((Ticker *)op)->vectorcall, "Ticker")) {
        return NULL;
    }
    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "ticker() takes no keywords");
        return NULL;
    }
    return ticker_vectorcall(op, &PyTuple_GET_ITEM(args, 0), (size_t)PyTuple_GET_SIZE(args),
                             NULL);
}

static PyMethodDef ticker_methods[] = {
    {"run", (PyCFunction)(void (*)(void))ticker_run, METH_FASTCALL,
     "run(node, ticks, t0, dt, time_every, clock_packet): Executive._lead's loop over whole "
     "ticks; returns the ticks run."},
    {"stats", ticker_stats, METH_NOARGS,
     "With a clock: per slot (turns, deliveries, packets, turn_ns, deliver_ns) of the "
     "turns run in C; else None."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef ticker_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Ticker, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot ticker_slots[] = {
    {Py_tp_doc, (void *)"The turns of one tick: the fast path of Executive._lead's slot loop."},
    {Py_tp_init, (void *)ticker_init},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_call, (void *)ticker_call},
    {Py_tp_traverse, (void *)ticker_traverse},
    {Py_tp_clear, (void *)ticker_clear},
    {Py_tp_dealloc, (void *)ticker_dealloc},
    {Py_tp_members, (void *)ticker_members},
    {Py_tp_methods, (void *)ticker_methods},
    {0, NULL},
};

static PyType_Spec ticker_spec = {
    "fsw._hotpath.Ticker", sizeof(Ticker), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    ticker_slots,
};

/* --------------------------------------------------------------- Settle */

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *loopback;   /* the local bus's Loopback: its undelivered count */
    PyObject *queue;      /* its loopback queue */
    PyObject *router;     /* packets += n */
    PyObject *stream;     /* update, packets += n, sink */
    PyObject *node;       /* t */
    PyObject *fallback;   /* router.stream_delivered(packets, t, skipped) */
    PyObject *empty;      /* b"" */
    PyObject *s_t, *s_update, *s_packets, *s_sink, *s_join;
} Settle;

/* obj.<name> += n (PyNumber_InPlaceAdd, as ``+=``): 0, or -1. */
static int add_to_attr(PyObject *obj, PyObject *name, PyObject *n)
{
    PyObject *old = PyObject_GetAttr(obj, name), *sum;
    int rc;
    if (old == NULL) {
        return -1;
    }
    sum = PyNumber_InPlaceAdd(old, n);
    Py_DECREF(old);
    if (sum == NULL) {
        return -1;
    }
    rc = PyObject_SetAttr(obj, name, sum);
    Py_DECREF(sum);
    return rc;
}

/* Router.stream_delivered(packets, t, False) for a list of at least one
 * packet, on a router with a stream: 0, or -1. */
static int settle_stream(Settle *self, PyObject *packets, PyObject *t)
{
    Py_ssize_t n = PyList_GET_SIZE(packets);
    PyObject *data, *r, *count, *sink;
    int rc = -1;

    if (n == 1) {
        data = Py_NewRef(PyList_GET_ITEM(packets, 0));
    } else {
        data = PyObject_CallMethodOneArg(self->empty, self->s_join, packets);
        if (data == NULL) {
            return -1;
        }
    }
    r = PyObject_CallMethodOneArg(self->stream, self->s_update, data);
    if (r == NULL) {
        goto out;
    }
    Py_DECREF(r);
    count = PyLong_FromSsize_t(n);
    if (count == NULL) {
        goto out;
    }
    if (add_to_attr(self->stream, self->s_packets, count) < 0
        || add_to_attr(self->router, self->s_packets, count) < 0) {
        Py_DECREF(count);
        goto out;
    }
    Py_DECREF(count);
    sink = PyObject_GetAttr(self->stream, self->s_sink);
    if (sink == NULL) {
        goto out;
    }
    if (sink != Py_None) {
        PyObject *args[3] = {packets, data, t};
        r = PyObject_Vectorcall(sink, args, 3, NULL);
        Py_DECREF(sink);
        if (r == NULL) {
            goto out;
        }
        Py_DECREF(r);
    } else {
        Py_DECREF(sink);
    }
    rc = 0;
out:
    Py_DECREF(data);
    return rc;
}

static PyObject *settle_vectorcall(PyObject *callable, PyObject *const *args,
                                   size_t nargsf, PyObject *kwnames)
{
    Settle *self = (Settle *)callable;
    Loopback *lb = (Loopback *)self->loopback;
    Py_ssize_t n = PyList_GET_SIZE(self->queue);
    PyObject *packets, *t;
    int skipped, rc;
    (void)args;

    if (PyVectorcall_NARGS(nargsf) != 0 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "settle() takes no arguments");
        return NULL;
    }
    if (n == 0) {
        Py_RETURN_NONE;
    }
    /* packets = queue[:]; queue.clear() */
    packets = PyList_GetSlice(self->queue, 0, n);
    if (packets == NULL) {
        return NULL;
    }
    if (PyList_SetSlice(self->queue, 0, PyList_GET_SIZE(self->queue), NULL) < 0) {
        Py_DECREF(packets);
        return NULL;
    }
    skipped = lb->undelivered != 0;
    if (skipped) {
        lb->undelivered = 0;
    }
    t = PyObject_GetAttr(self->node, self->s_t);
    if (t == NULL) {
        Py_DECREF(packets);
        return NULL;
    }
    if (skipped || self->stream == Py_None) {  /* the Python method */
        PyObject *fargs[3] = {packets, t, skipped ? Py_True : Py_False};
        PyObject *r = PyObject_Vectorcall(self->fallback, fargs, 3, NULL);
        rc = r == NULL ? -1 : 0;
        Py_XDECREF(r);
    } else {
        rc = settle_stream(self, packets, t);
    }
    Py_DECREF(t);
    Py_DECREF(packets);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static int settle_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    Settle *self = (Settle *)op;
    char *names[] = {"loopback", "router", "stream", "node", "fallback", NULL};
    PyObject *loopback, *router, *stream, *node, *fallback;

    if (self->loopback != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a Settle is initialised once");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOO:Settle", names, &loopback, &router,
                                     &stream, &node, &fallback)) {
        return -1;
    }
    if (PyType_GetSlot(Py_TYPE(loopback), Py_tp_init) != (void *)loopback_init
        || ((Loopback *)loopback)->queue == NULL) {
        PyErr_SetString(PyExc_TypeError, "loopback must be an initialised Loopback");
        return -1;
    }
    if (!PyCallable_Check(fallback)) {
        PyErr_SetString(PyExc_TypeError, "fallback must be callable");
        return -1;
    }
    Py_XSETREF(self->empty, PyBytes_FromStringAndSize(NULL, 0));
    Py_XSETREF(self->s_t, PyUnicode_InternFromString("t"));
    Py_XSETREF(self->s_update, PyUnicode_InternFromString("update"));
    Py_XSETREF(self->s_packets, PyUnicode_InternFromString("packets"));
    Py_XSETREF(self->s_sink, PyUnicode_InternFromString("sink"));
    Py_XSETREF(self->s_join, PyUnicode_InternFromString("join"));
    if (self->empty == NULL || self->s_t == NULL || self->s_update == NULL
        || self->s_packets == NULL || self->s_sink == NULL || self->s_join == NULL) {
        return -1;
    }
    self->loopback = Py_NewRef(loopback);
    self->queue = Py_NewRef(((Loopback *)loopback)->queue);
    self->router = Py_NewRef(router);
    self->stream = Py_NewRef(stream);
    self->node = Py_NewRef(node);
    self->fallback = Py_NewRef(fallback);
    self->vectorcall = settle_vectorcall;
    return 0;
}

static int settle_traverse(PyObject *op, visitproc visit, void *arg)
{
    Settle *self = (Settle *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->loopback);
    Py_VISIT(self->queue);
    Py_VISIT(self->router);
    Py_VISIT(self->stream);
    Py_VISIT(self->node);
    Py_VISIT(self->fallback);
    return 0;
}

static int settle_clear(PyObject *op)
{
    Settle *self = (Settle *)op;
    Py_CLEAR(self->loopback);
    Py_CLEAR(self->queue);
    Py_CLEAR(self->router);
    Py_CLEAR(self->stream);
    Py_CLEAR(self->node);
    Py_CLEAR(self->fallback);
    Py_CLEAR(self->empty);
    Py_CLEAR(self->s_t);
    Py_CLEAR(self->s_update);
    Py_CLEAR(self->s_packets);
    Py_CLEAR(self->s_sink);
    Py_CLEAR(self->s_join);
    return 0;
}

static void settle_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    (void)settle_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *settle_call(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (not_ready(((Settle *)op)->vectorcall, "Settle")) {
        return NULL;
    }
    if ((kwds != NULL && PyDict_GET_SIZE(kwds) != 0) || PyTuple_GET_SIZE(args) != 0) {
        PyErr_SetString(PyExc_TypeError, "settle() takes no arguments");
        return NULL;
    }
    return settle_vectorcall(op, NULL, 0, NULL);
}

static PyMemberDef settle_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Settle, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot settle_slots[] = {
    {Py_tp_doc, (void *)"A local lockstep's settle: the fast path of LocalLockstep.settle."},
    {Py_tp_init, (void *)settle_init},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_call, (void *)settle_call},
    {Py_tp_traverse, (void *)settle_traverse},
    {Py_tp_clear, (void *)settle_clear},
    {Py_tp_dealloc, (void *)settle_dealloc},
    {Py_tp_members, (void *)settle_members},
    {0, NULL},
};

static PyType_Spec settle_spec = {
    "fsw._hotpath.Settle", sizeof(Settle), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    settle_slots,
};

/* ------------------------------------------------------------ RecordTap */

/* Packets one call appends natively at most (their lengths on the stack);
 * a larger batch goes to the fallback. */
#define RT_MAX_PACKETS 64

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *weakreflist;
    pkt_archive_cursor *cur; /* the writer's cursor (its memory: ``owner``) */
    PyObject *owner;         /* keeps the cursor alive */
    PyObject *fallback;      /* the writer's write_batch(packets, data, t) */
    PyObject *rest;          /* the writer's _append_rest(packets, data, ns) */
    char enabled;
} RecordTap;

/* Python's ``round(t * 1_000_000_000)`` of a float t (float.__round__
 * without ndigits: half to even) as an int64: 1, or 0 when it is not a
 * finite value within int64 (Python raises or makes a big int there: the
 * fallback's case). */
static int record_ns(double t, int64_t *ns)
{
    double x = t * 1e9, r;
    if (!isfinite(x)) {
        return 0;
    }
    r = round(x);
    if (fabs(x - r) == 0.5) {
        r = 2.0 * round(x / 2.0);
    }
    if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0)) {
        return 0;
    }
    *ns = (int64_t)r;
    return 1;
}

/* 1: appended here (``rest`` called if the native append stopped early);
 * 0: not a case for the native path (nothing touched); -1: an exception. */
static int record_tap_fast(RecordTap *self, PyObject *packets, PyObject *data, PyObject *t)
{
    size_t lens[RT_MAX_PACKETS];
    Py_ssize_t n, i;
    int64_t ns;
    int status;

    if (!self->enabled || !PyList_CheckExact(packets) || !PyBytes_CheckExact(data)
        || !PyFloat_CheckExact(t)) {
        return 0;
    }
    n = PyList_GET_SIZE(packets);
    if (n < 1 || n > RT_MAX_PACKETS || !record_ns(PyFloat_AS_DOUBLE(t), &ns)) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        PyObject *p = PyList_GET_ITEM(packets, i);
        if (!PyBytes_CheckExact(p)) {
            return 0;
        }
        lens[i] = (size_t)PyBytes_GET_SIZE(p);
    }
    status = pkt_archive_append(self->cur, (const uint8_t *)PyBytes_AS_STRING(data),
                                (size_t)PyBytes_GET_SIZE(data), lens, (size_t)n, ns);
    if (status != PKT_OK) { /* more room, a packet out of bounds, ...: the writer's */
        PyObject *args[3], *r;
        args[0] = packets;
        args[1] = data;
        args[2] = PyLong_FromLongLong((long long)ns);
        if (args[2] == NULL) {
            return -1;
        }
        r = PyObject_Vectorcall(self->rest, args, 3, NULL);
        Py_DECREF(args[2]);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    return 1;
}

static PyObject *record_tap_vectorcall(PyObject *callable, PyObject *const *args,
                                       size_t nargsf, PyObject *kwnames)
{
    RecordTap *self = (RecordTap *)callable;
    int done;

    if (PyVectorcall_NARGS(nargsf) != 3 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "tap(packets, data, t)");
        return NULL;
    }
    done = record_tap_fast(self, args[0], args[1], args[2]);
    if (done < 0) {
        return NULL;
    }
    if (done == 0) {
        return PyObject_Vectorcall(self->fallback, args, 3, NULL);
    }
    Py_RETURN_NONE;
}

static int record_tap_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    RecordTap *self = (RecordTap *)op;
    char *names[] = {"cursor", "owner", "fallback", "rest", NULL};
    PyObject *address, *owner, *fallback, *rest;
    void *cur;

    if (self->owner != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a RecordTap is initialised once");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OOO:RecordTap", names, &PyLong_Type,
                                     &address, &owner, &fallback, &rest)) {
        return -1;
    }
    cur = PyLong_AsVoidPtr(address);
    if (cur == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "cursor: the address of a pkt_archive_cursor");
        }
        return -1;
    }
    if (!PyCallable_Check(fallback) || !PyCallable_Check(rest)) {
        PyErr_SetString(PyExc_TypeError, "fallback and rest must be callable");
        return -1;
    }
    self->cur = (pkt_archive_cursor *)cur;
    self->owner = Py_NewRef(owner);
    self->fallback = Py_NewRef(fallback);
    self->rest = Py_NewRef(rest);
    self->enabled = 1;
    self->vectorcall = record_tap_vectorcall;
    return 0;
}

static int record_tap_traverse(PyObject *op, visitproc visit, void *arg)
{
    RecordTap *self = (RecordTap *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->owner);
    Py_VISIT(self->fallback);
    Py_VISIT(self->rest);
    return 0;
}

static int record_tap_clear(PyObject *op)
{
    RecordTap *self = (RecordTap *)op;
    self->enabled = 0; /* the cursor's owner may go: never used again */
    Py_CLEAR(self->owner);
    Py_CLEAR(self->fallback);
    Py_CLEAR(self->rest);
    return 0;
}

static void record_tap_dealloc(PyObject *op)
{
    RecordTap *self = (RecordTap *)op;
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    (void)record_tap_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *record_tap_call(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (not_ready(((RecordTap *)op)->vectorcall, "RecordTap")) {
        return NULL;
    }
    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "tap() takes no keywords");
        return NULL;
    }
    return record_tap_vectorcall(op, &PyTuple_GET_ITEM(args, 0),
                                 (size_t)PyTuple_GET_SIZE(args), NULL);
}

static PyMemberDef record_tap_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(RecordTap, vectorcall), READONLY, NULL},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(RecordTap, weakreflist), READONLY, NULL},
    {"enabled", T_BOOL, offsetof(RecordTap, enabled), 0,
     "The native append is used (False: every call is the fallback's)."},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot record_tap_slots[] = {
    {Py_tp_doc, (void *)"A mapped archive writer's joined tap: the fast path of "
                        "ArchiveWriter.write_batch."},
    {Py_tp_init, (void *)record_tap_init},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_call, (void *)record_tap_call},
    {Py_tp_traverse, (void *)record_tap_traverse},
    {Py_tp_clear, (void *)record_tap_clear},
    {Py_tp_dealloc, (void *)record_tap_dealloc},
    {Py_tp_members, (void *)record_tap_members},
    {0, NULL},
};

static PyType_Spec record_tap_spec = {
    "fsw._hotpath.RecordTap", sizeof(RecordTap), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    record_tap_slots,
};

/* ------------------------------------------------------------ Heartbeat */

/* What the Heartbeat reads: the executive's time, a participant's name as
 * its HEARTBEAT carries it, its steps and state; the lockstep's publish. */
enum { H_T, H_SEQ, H_LOCKSTEP, H_TASK, H_STEPS, H_STATE, H_PUBLISH, H_COUNT };
static const char *const hb_attr_names[H_COUNT] = {
    "t", "seq", "lockstep", "hb_task", "steps", "state", "publish",
};

/* Octet offsets in a HEARTBEAT (the dictionary's layout, given at init). */
enum { L_SIZE, L_SEQ, L_COARSE, L_FINE, L_COUNTER, L_STATE, L_COUNT };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *node;      /* the executive: t, seq (its per-APID counts), lockstep */
    PyObject *templates; /* dict: hb_task -> the packet with that task, the rest patched */
    PyObject *fallback;  /* Executive._heartbeat(slot) */
    PyObject *names[H_COUNT];
    Py_ssize_t apid;
    Py_ssize_t layout[L_COUNT];
    unsigned char states[256]; /* 1: a value of the state enum */
} Heartbeat;

static void store_be(unsigned char *p, unsigned long long v, int octets)
{
    int i;
    for (i = octets - 1; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xFFu);
        v >>= 8;
    }
}

/* Python's ``round(t * 65536.0)`` (half to even) as the CUC time's coarse
 * and fine parts: 1, or 0 when they do not fit its fields (the Python
 * build's error: the fallback's case). */
static int cuc_time(double t, unsigned long long *coarse, unsigned long long *fine)
{
    double x = t * 65536.0, r;
    unsigned long long v;
    if (!isfinite(x)) {
        return 0;
    }
    r = round(x);
    if (fabs(x - r) == 0.5) {
        r = 2.0 * round(x / 2.0);
    }
    if (!(r >= 0.0 && r < 281474976710656.0)) { /* 2**48: coarse within 32 bits */
        return 0;
    }
    v = (unsigned long long)r;
    *coarse = v >> 16;
    *fine = v & 0xFFFFu;
    return 1;
}

/* The HEARTBEAT from ``template`` with these values, its CRC made: a new
 * bytes, or NULL with an exception set. */
static PyObject *heartbeat_packet(Heartbeat *self, PyObject *template, unsigned long long seq,
                                  unsigned long long coarse, unsigned long long fine,
                                  unsigned long long counter, unsigned long long state)
{
    const Py_ssize_t *l = self->layout;
    PyObject *out = PyBytes_FromStringAndSize(PyBytes_AS_STRING(template), l[L_SIZE]);
    unsigned char *b;
    uint16_t crc;
    if (out == NULL) {
        return NULL;
    }
    b = (unsigned char *)PyBytes_AS_STRING(out);
    store_be(b + l[L_SEQ], 0xC000u | seq, 2);
    store_be(b + l[L_COARSE], coarse, 4);
    store_be(b + l[L_FINE], fine, 2);
    store_be(b + l[L_COUNTER], counter & 0xFFFFFFFFu, 4);
    b[l[L_STATE]] = (unsigned char)state;
    if (gnc_crc16(b, (size_t)l[L_SIZE] - 2u, &crc) != GNC_OK) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_RuntimeError, "gnc_crc16 failed");
        return NULL;
    }
    store_be(b + l[L_SIZE] - 2, crc, 2);
    return out;
}

/* An exact int in [0, 2**64) as a C value (``mask``: modulo 2**64, as
 * ``& 0xFFFFFFFF`` needs of any int): 1, or 0 (not such an int). */
static int exact_uint(PyObject *o, int mask, unsigned long long *v)
{
    if (!PyLong_CheckExact(o)) {
        return 0;
    }
    if (mask) {
        *v = PyLong_AsUnsignedLongLongMask(o);
        return !(*v == (unsigned long long)-1 && PyErr_Occurred());
    }
    *v = PyLong_AsUnsignedLongLong(o);
    if (*v == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

/* 1: built and published here; 0: not a case for C (nothing touched);
 * -1: an exception. */
static int heartbeat_fast(Heartbeat *self, PyObject *slot)
{
    PyObject *v[H_COUNT] = {NULL}, *template, *packet, *r;
    unsigned long long coarse, fine, steps, state, seq;
    Py_buffer counts;
    int rc = -1, a;

    /* looked up at each call, as the Python method does: node.t, node.seq,
     * node.lockstep, the slot's, node.lockstep.publish */
    for (a = 0; a < H_COUNT; a++) {
        PyObject *owner = a <= H_LOCKSTEP ? self->node : a == H_PUBLISH ? v[H_LOCKSTEP] : slot;
        v[a] = PyObject_GetAttr(owner, self->names[a]);
        if (v[a] == NULL) {
            goto done;
        }
    }
    rc = 0;
    if (!PyFloat_CheckExact(v[H_T]) || !PyUnicode_CheckExact(v[H_TASK])
        || !cuc_time(PyFloat_AS_DOUBLE(v[H_T]), &coarse, &fine)
        || !exact_uint(v[H_STEPS], 1, &steps) || !exact_uint(v[H_STATE], 0, &state)
        || state > 255u || !self->states[state]) {
        goto done;
    }
    template = PyDict_GetItemWithError(self->templates, v[H_TASK]);
    if (template == NULL) {
        rc = PyErr_Occurred() ? -1 : 0;
        goto done;
    }
    /* the counts as a buffer for this call only: no export outlives it;
     * not an array('H') (a list, ...): the Python method's case */
    if (!PyObject_CheckBuffer(v[H_SEQ])
        || PyObject_GetBuffer(v[H_SEQ], &counts,
                              PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
        PyErr_Clear();
        goto done;
    }
    if (counts.itemsize != 2 || counts.format == NULL || strcmp(counts.format, "H") != 0
        || self->apid >= counts.len / 2 || ((uint16_t *)counts.buf)[self->apid] >= 0x4000u) {
        PyBuffer_Release(&counts); /* not the counts of 14 bits it should be: Python's */
        goto done;
    }
    seq = ((uint16_t *)counts.buf)[self->apid];
    ((uint16_t *)counts.buf)[self->apid] = (uint16_t)((seq + 1u) & 0x3FFFu); /* next_seq */
    PyBuffer_Release(&counts);
    rc = -1;
    packet = heartbeat_packet(self, template, seq, coarse, fine, steps, state);
    if (packet == NULL) {
        goto done;
    }
    r = PyObject_CallOneArg(v[H_PUBLISH], packet);
    Py_DECREF(packet);
    if (r == NULL) {
        goto done;
    }
    Py_DECREF(r);
    rc = 1;
done:
    for (a = 0; a < H_COUNT; a++) {
        Py_XDECREF(v[a]);
    }
    return rc;
}

static PyObject *heartbeat_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                      PyObject *kwnames)
{
    Heartbeat *self = (Heartbeat *)callable;
    int done;
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "heartbeat(slot)");
        return NULL;
    }
    done = heartbeat_fast(self, args[0]);
    if (done < 0) {
        return NULL;
    }
    if (done == 0) {
        return PyObject_CallOneArg(self->fallback, args[0]);
    }
    Py_RETURN_NONE;
}

/* ``build(task, t, seq, counter, state)``: the packet the fast path makes
 * of these (nothing counted, nothing published); None where it would hand
 * the call to the fallback. */
static PyObject *heartbeat_build(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
    Heartbeat *self = (Heartbeat *)op;
    PyObject *template;
    unsigned long long coarse, fine, seq, steps, state;
    if (not_ready(((Heartbeat *)op)->vectorcall, "Heartbeat")) {
        return NULL;
    }
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "build(task, t, seq, counter, state)");
        return NULL;
    }
    if (!PyUnicode_CheckExact(args[0]) || !PyFloat_CheckExact(args[1])
        || !cuc_time(PyFloat_AS_DOUBLE(args[1]), &coarse, &fine)
        || !exact_uint(args[2], 0, &seq) || seq >= 0x4000u
        || !exact_uint(args[3], 1, &steps) || !exact_uint(args[4], 0, &state) || state > 255u
        || !self->states[state]) {
        Py_RETURN_NONE;
    }
    template = PyDict_GetItemWithError(self->templates, args[0]);
    if (template == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    return heartbeat_packet(self, template, seq, coarse, fine, steps, state);
}

static int heartbeat_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    Heartbeat *self = (Heartbeat *)op;
    char *names[] = {"node", "apid", "templates", "layout", "states", "fallback", NULL};
    PyObject *node, *templates, *layout, *states, *fallback, *key, *value;
    Py_ssize_t apid, i, pos = 0;
    int a;

    if (self->node != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a Heartbeat is initialised once");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OnO!O!OO:Heartbeat", names, &node, &apid,
                                     &PyDict_Type, &templates, &PyTuple_Type, &layout, &states,
                                     &fallback)) {
        return -1;
    }
    if (PyTuple_GET_SIZE(layout) != L_COUNT) {
        PyErr_SetString(PyExc_ValueError, "layout: (size, seq, coarse, fine, counter, state)");
        return -1;
    }
    for (i = 0; i < L_COUNT; i++) {
        self->layout[i] = PyNumber_AsSsize_t(PyTuple_GET_ITEM(layout, i), PyExc_OverflowError);
        if (self->layout[i] == -1 && PyErr_Occurred()) {
            return -1;
        }
    }
    {
        const Py_ssize_t *l = self->layout;
        if (l[L_SIZE] < 8 || l[L_SEQ] < 0 || l[L_SEQ] + 2 > l[L_SIZE] - 2 || l[L_COARSE] < 0
            || l[L_COARSE] + 4 > l[L_SIZE] - 2 || l[L_FINE] < 0 || l[L_FINE] + 2 > l[L_SIZE] - 2
            || l[L_COUNTER] < 0 || l[L_COUNTER] + 4 > l[L_SIZE] - 2 || l[L_STATE] < 0
            || l[L_STATE] + 1 > l[L_SIZE] - 2) {
            PyErr_SetString(PyExc_ValueError, "layout: fields outside the packet");
            return -1;
        }
    }
    while (PyDict_Next(templates, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key) || !PyBytes_CheckExact(value)
            || PyBytes_GET_SIZE(value) != self->layout[L_SIZE]) {
            PyErr_SetString(PyExc_ValueError, "templates: str -> a packet of the layout's size");
            return -1;
        }
    }
    if (!PyBytes_Check(states) || PyBytes_GET_SIZE(states) != 256) {
        PyErr_SetString(PyExc_ValueError, "states: 256 octets, 1 for a value of the enum");
        return -1;
    }
    memcpy(self->states, PyBytes_AS_STRING(states), 256);
    if (!PyCallable_Check(fallback)) {
        PyErr_SetString(PyExc_TypeError, "fallback must be callable");
        return -1;
    }
    if (apid < 0) {
        PyErr_SetString(PyExc_ValueError, "apid: an index in node.seq");
        return -1;
    }
    for (a = 0; a < H_COUNT; a++) {
        self->names[a] = PyUnicode_InternFromString(hb_attr_names[a]);
        if (self->names[a] == NULL) {
            return -1;
        }
    }
    self->apid = apid;
    self->node = Py_NewRef(node);
    self->templates = Py_NewRef(templates);
    self->fallback = Py_NewRef(fallback);
    self->vectorcall = heartbeat_vectorcall;
    return 0;
}

static int heartbeat_traverse(PyObject *op, visitproc visit, void *arg)
{
    Heartbeat *self = (Heartbeat *)op;
    Py_VISIT(Py_TYPE(op));
    Py_VISIT(self->node);
    Py_VISIT(self->templates);
    Py_VISIT(self->fallback);
    return 0;
}

static int heartbeat_clear(PyObject *op)
{
    Heartbeat *self = (Heartbeat *)op;
    int a;
    Py_CLEAR(self->node);
    Py_CLEAR(self->templates);
    Py_CLEAR(self->fallback);
    for (a = 0; a < H_COUNT; a++) {
        Py_CLEAR(self->names[a]);
    }
    return 0;
}

static void heartbeat_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);
    PyObject_GC_UnTrack(op);
    (void)heartbeat_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

static PyObject *heartbeat_call(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (not_ready(((Heartbeat *)op)->vectorcall, "Heartbeat")) {
        return NULL;
    }
    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "heartbeat() takes no keywords");
        return NULL;
    }
    return heartbeat_vectorcall(op, &PyTuple_GET_ITEM(args, 0), (size_t)PyTuple_GET_SIZE(args),
                                NULL);
}

static PyMethodDef heartbeat_methods[] = {
    {"build", (PyCFunction)(void (*)(void))heartbeat_build, METH_FASTCALL,
     "build(task, t, seq, counter, state): the packet the fast path makes (None: the "
     "fallback's case)."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef heartbeat_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Heartbeat, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot heartbeat_slots[] = {
    {Py_tp_doc, (void *)"A participant's HEARTBEAT: the fast path of Executive._heartbeat."},
    {Py_tp_init, (void *)heartbeat_init},
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_call, (void *)heartbeat_call},
    {Py_tp_traverse, (void *)heartbeat_traverse},
    {Py_tp_clear, (void *)heartbeat_clear},
    {Py_tp_dealloc, (void *)heartbeat_dealloc},
    {Py_tp_members, (void *)heartbeat_members},
    {Py_tp_methods, (void *)heartbeat_methods},
    {0, NULL},
};

static PyType_Spec heartbeat_spec = {
    "fsw._hotpath.Heartbeat", sizeof(Heartbeat), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    heartbeat_slots,
};

/* --------------------------------------------------------------- module */

static int hotpath_exec(PyObject *module)
{
    PyObject *t = PyType_FromModuleAndSpec(module, &loopback_spec, NULL);
    if (t == NULL) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "Loopback", t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    Py_DECREF(t);
    t = PyType_FromModuleAndSpec(module, &dispatcher_spec, NULL);
    if (t == NULL) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "Dispatcher", t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    Py_DECREF(t);
    t = PyType_FromModuleAndSpec(module, &ticker_spec, NULL);
    if (t == NULL) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "Ticker", t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    Py_DECREF(t);
    t = PyType_FromModuleAndSpec(module, &settle_spec, NULL);
    if (t == NULL) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "Settle", t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    Py_DECREF(t);
    t = PyType_FromModuleAndSpec(module, &record_tap_spec, NULL);
    if (t == NULL) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "RecordTap", t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    Py_DECREF(t);
    t = PyType_FromModuleAndSpec(module, &heartbeat_spec, NULL);
    if (t == NULL) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "Heartbeat", t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    Py_DECREF(t);
    return 0;
}

static PyModuleDef_Slot hotpath_module_slots[] = {
    {Py_mod_exec, (void *)hotpath_exec},
    {0, NULL},
};

static struct PyModuleDef hotpath_module = {
    PyModuleDef_HEAD_INIT, "fsw._hotpath",
    "The executive's and the local bus's per-packet fast paths (see native/hotpath).",
    0, NULL, hotpath_module_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__hotpath(void);

PyMODINIT_FUNC PyInit__hotpath(void)
{
    return PyModuleDef_Init(&hotpath_module);
}
