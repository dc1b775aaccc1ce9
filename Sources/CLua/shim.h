/*
 * CLua: Lua 5.4 as Swift sees it, plus what Swift cannot express itself: the API's
 * function-like macros, and the three C callbacks a budgeted interpreter needs (the
 * allocator, the instruction hook and a trampoline for host functions). Header-only so
 * the target stays a system library.
 *
 * Why the trampoline: a Lua error is a longjmp. Jumping over a Swift frame skips its
 * releases and cleanups, so Swift host functions never raise one. They return -1 with the
 * message on the stack instead, and the C trampoline raises it once the Swift frame has
 * returned. While a host function runs, the allocator does not refuse (an out-of-memory
 * error is a longjmp too); the trampoline checks the limit afterwards.
 */
#ifndef CLUA_SHIM_H
#define CLUA_SHIM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/** What stopped a call, beyond an ordinary error. */
#define CLUA_OVERRUN_NONE 0
#define CLUA_OVERRUN_INSTRUCTIONS 1
#define CLUA_OVERRUN_MEMORY 2

/** One interpreter's budget and bookkeeping; lives as long as its lua_State. */
typedef struct clua_budget {
    size_t used;           /* bytes the state holds now */
    size_t max_bytes;      /* refuse growth past this, outside host functions */
    long long steps;       /* instructions counted in this call (in hook_every units) */
    long long max_steps;   /* instructions allowed per call */
    int hook_every;        /* the count hook fires every this many instructions */
    int host;              /* > 0 outside script code (Swift at work on the state): never refuse */
    int overrun;           /* CLUA_OVERRUN_* of the current call */
    int line;              /* the script line the last hook saw, for memory errors */
    void *call;            /* the Swift per-call context (unretained), or NULL */
} clua_budget;

static inline clua_budget *clua_budget_of(lua_State *L) {
    return *(clua_budget **)lua_getextraspace(L);
}

static inline void *clua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_budget *b = (clua_budget *)ud;
    /* With ptr NULL, osize names the kind of object, not a size. */
    size_t old = ptr != NULL ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        b->used -= old;
        return NULL;
    }
    /* Lua assumes shrinking never fails, so only growth is refused. */
    if (nsize > old && b->host == 0 && b->used - old + nsize > b->max_bytes) {
        b->overrun = CLUA_OVERRUN_MEMORY;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p != NULL) b->used = b->used - old + nsize;
    return p;
}

static inline void clua_hook(lua_State *L, lua_Debug *ar) {
    clua_budget *b = clua_budget_of(L);
    int known = lua_getinfo(L, "Sl", ar) && ar->currentline > 0;
    if (known) b->line = ar->currentline;
    b->steps += b->hook_every;
    if (b->steps <= b->max_steps) return;
    b->overrun = CLUA_OVERRUN_INSTRUCTIONS;
    /* From now on every instruction raises, so a pcall inside the script cannot swallow
     * the overrun and loop again: each level it returns to fails at its next instruction. */
    lua_sethook(L, clua_hook, LUA_MASKCOUNT, 1);
    b->steps = b->max_steps + 1;
    if (known)
        lua_pushfstring(L, "%s:%d: instruction limit of %I per call exceeded", ar->short_src, ar->currentline,
                        (LUAI_UACINT)b->max_steps);
    else
        lua_pushfstring(L, "instruction limit of %I per call exceeded", (LUAI_UACINT)b->max_steps);
    lua_error(L);
}

/** A new state with the budget's allocator and hook, or NULL when memory runs out. */
static inline lua_State *clua_newstate(size_t max_bytes, long long max_steps, int hook_every) {
    clua_budget *b = (clua_budget *)calloc(1, sizeof *b);
    if (b == NULL) return NULL;
    b->max_bytes = max_bytes;
    b->max_steps = max_steps;
    b->hook_every = hook_every > 0 ? hook_every : 1000;
    b->host = 1;
    lua_State *L = lua_newstate(clua_alloc, b);
    if (L == NULL) {
        free(b);
        return NULL;
    }
    *(clua_budget **)lua_getextraspace(L) = b;
    lua_sethook(L, clua_hook, LUA_MASKCOUNT, b->hook_every);
    return L;
}

static inline void clua_close(lua_State *L) {
    clua_budget *b = clua_budget_of(L);
    lua_close(L);
    free(b);
}

/** Starts a call's budget afresh. */
static inline void clua_begin(lua_State *L, void *call) {
    clua_budget *b = clua_budget_of(L);
    b->steps = 0;
    b->overrun = CLUA_OVERRUN_NONE;
    b->line = 0;
    b->call = call;
    lua_sethook(L, clua_hook, LUA_MASKCOUNT, b->hook_every);
}

static inline void clua_end(lua_State *L) { clua_budget_of(L)->call = NULL; }

static inline void *clua_call_context(lua_State *L) { return clua_budget_of(L)->call; }
static inline int clua_overrun(lua_State *L) { return clua_budget_of(L)->overrun; }
static inline int clua_last_line(lua_State *L) { return clua_budget_of(L)->line; }
static inline void clua_set_last_line(lua_State *L, int line) { clua_budget_of(L)->line = line; }
static inline size_t clua_bytes_used(lua_State *L) { return clua_budget_of(L)->used; }
static inline size_t clua_max_bytes(lua_State *L) { return clua_budget_of(L)->max_bytes; }

/** lua_pcall for script code: the budget applies in full. */
static inline int clua_guest_pcall(lua_State *L, int nargs, int nresults) {
    clua_budget *b = clua_budget_of(L);
    int saved = b->host;
    b->host = 0;
    int status = lua_pcall(L, nargs, nresults, 0);
    b->host = saved;
    return status;
}

/** Compiles text (never bytecode) under the budget. */
static inline int clua_guest_load(lua_State *L, const char *text, size_t length, const char *chunkname) {
    clua_budget *b = clua_budget_of(L);
    int saved = b->host;
    b->host = 0;
    int status = luaL_loadbufferx(L, text, length, chunkname, "t");
    b->host = saved;
    return status;
}

union clua_function_pointer {
    lua_CFunction function;
    void *pointer;
};

static inline int clua_trampoline(lua_State *L) {
    clua_budget *b = clua_budget_of(L);
    union clua_function_pointer host;
    host.pointer = lua_touserdata(L, lua_upvalueindex(1));
    b->host++;
    int results = host.function(L);
    b->host--;
    if (results < 0) {
        /* The message is on top: prefix the script's FILE:LINE and raise it from C. */
        luaL_where(L, 1);
        lua_rotate(L, -2, 1);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (b->used > b->max_bytes) {
        lua_gc(L, LUA_GCCOLLECT, 0);
        if (b->used > b->max_bytes) {
            b->overrun = CLUA_OVERRUN_MEMORY;
            return luaL_error(L, "memory limit of %I bytes exceeded", (LUAI_UACINT)b->max_bytes);
        }
    }
    return results;
}

/**
 * Pushes a host function. It returns its number of results, or -1 with an error message
 * on top of the stack; it must not raise Lua errors itself.
 */
static inline void clua_push_host_function(lua_State *L, lua_CFunction function) {
    union clua_function_pointer host;
    host.function = function;
    lua_pushlightuserdata(L, host.pointer);
    lua_pushcclosure(L, clua_trampoline, 1);
}

/* The sandbox's libraries: the base library, string, table, math and utf8. debug is left
 * on the stack for the trusted prelude (which keeps only getinfo) and is never global. */
static inline int clua_open_libraries(lua_State *L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);
    luaL_requiref(L, LUA_DBLIBNAME, luaopen_debug, 0);
    return 1;
}

/** Opens the sandbox's libraries; on success the debug table is left on the stack. */
static inline int clua_open_sandbox_libraries(lua_State *L) {
    lua_pushcfunction(L, clua_open_libraries);
    return lua_pcall(L, 0, 1, 0);
}

static inline void clua_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
static inline int clua_registry_index(void) { return LUA_REGISTRYINDEX; }
static inline int clua_ok(void) { return LUA_OK; }

#endif
