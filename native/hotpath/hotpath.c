/*
 * fsw._hotpath: the executive's and the local bus's per-packet fast paths,
 * as a CPython extension module (desktop only; not part of the guidance
 * core, never built for the board).
 *
 * Contract: each object here does exactly what a named piece of Python does
 * (fsw.bus.bus.Bus._publish_local, the delivery loop of
 * fsw.executive.executive.Executive._deliver) for the common case, and
 * hands every other case, untouched, to that Python code:
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
 * No global mutable state: the types are heap types in the module's state
 * (multi-phase initialisation); every object owns its references.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

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
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:publish", names, &packet)) {
        return NULL;
    }
    return loopback_vectorcall(op, &packet, 1, NULL);
}

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

/* Keep the pending Exception (with its traceback) in self->error. */
static void keep_error(Dispatcher *self, int in_parse)
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
    Py_XSETREF(self->error, value);
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

static PyObject *dispatcher_vectorcall(PyObject *callable, PyObject *const *args,
                                       size_t nargsf, PyObject *kwnames)
{
    Dispatcher *self = (Dispatcher *)callable;
    PyObject *inbox, *dispatch, *parsers;
    Py_ssize_t start, n, i;

    if (PyVectorcall_NARGS(nargsf) != 5 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "deliver(inbox, start, n, dispatch, parsers)");
        return NULL;
    }
    inbox = args[0];
    dispatch = args[3];
    parsers = args[4];
    start = PyLong_AsSsize_t(args[1]);
    if (start == -1 && PyErr_Occurred()) {
        return NULL;
    }
    n = PyLong_AsSsize_t(args[2]);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (!PyList_CheckExact(inbox) || !PyList_CheckExact(dispatch) || !PyList_CheckExact(parsers)) {
        return PyLong_FromSsize_t(start);  /* unusual: all of it in Python */
    }
    Py_CLEAR(self->error);
    self->in_parse = 0;
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
            return NULL;
        }
        break;  /* 0: unusual, -1: an Exception kept */
    }
    return PyLong_FromSsize_t(i);
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
    PyObject *error = self->error != NULL ? self->error : Py_NewRef(Py_None);
    PyObject *out;
    (void)unused;
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
