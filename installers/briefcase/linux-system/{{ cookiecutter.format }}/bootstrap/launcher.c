/*
 * {{ cookiecutter.formal_name }} launcher for Linux system packages.
 *
 * Installed as /usr/bin/{{ cookiecutter.app_name }}. It embeds the distribution's
 * libpython{{ cookiecutter.python_version }} and runs the app module with the package's own
 * folders on sys.path:
 *
 *   <prefix>/lib/<app>/app           the app's code, first on sys.path
 *   <prefix>/lib/<app>/app_packages  its pip-installed requirements, added as a site
 *                                    folder so that .pth files are honoured
 *
 * <prefix> is the parent of the folder holding this binary, found through /proc/self/exe,
 * so an unpacked or relocated tree (a chroot, `dpkg -x`) runs as well as /usr.
 *
 * The interpreter is isolated like `python -I -S`: PYTHON* variables, the user's site
 * folder and the distribution's dist-packages are ignored, so nothing installed with apt
 * or `pip --user` can shadow the versions the package ships. UTF-8 mode is on because a
 * minimal system may run with the C locale. `sys.frozen` tells the app it runs from an
 * installed package (launch-at-login then starts this binary, not `python -m`).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#ifndef APP_NAME
#error "APP_NAME must be defined by the Makefile"
#endif
#ifndef APP_MODULE
#error "APP_MODULE must be defined by the Makefile"
#endif

/* Runs as `python -c`; sys.executable is this binary (set below). sys.argv stays as the
 * user typed it (run_module without alter_sys), so argv[0] is "{{ cookiecutter.app_name }}":
 * Qt takes the application's X11 class and desktop-file hint from it. */
static const char BOOTSTRAP[] =
    "import os, runpy, site, sys\n"
    "lib = os.path.join(os.path.dirname(os.path.dirname(sys.executable)), 'lib', '" APP_NAME "')\n"
    "sys.path.insert(0, os.path.join(lib, 'app'))\n"
    "site.addsitedir(os.path.join(lib, 'app_packages'))\n"
    "sys.frozen = True\n"
    "del os, site, lib\n"
    "runpy.run_module('" APP_MODULE "', run_name='__main__')\n";

static void fail(const char *what, PyStatus status, PyConfig *config)
{
    fprintf(stderr, APP_NAME ": cannot start Python (%s)\n", what);
    if (config != NULL) {
        PyConfig_Clear(config);
    }
    Py_ExitStatusException(status);
}

int main(int argc, char *argv[])
{
    char exe[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (length <= 0) {
        perror(APP_NAME ": cannot find its own path in /proc/self/exe");
        return 127;
    }
    exe[length] = '\0';

    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.utf8_mode = 1;
    PyStatus status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) {
        fail("pre-initialisation", status, NULL);
    }

    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.site_import = 0;            /* no dist-packages; BOOTSTRAP adds our folder */
    config.install_signal_handlers = 1; /* Ctrl+C is KeyboardInterrupt, as in python */
    config.configure_c_stdio = 1;
    config.write_bytecode = 0;         /* /usr/lib is read-only for the user anyway */

    status = PyConfig_SetBytesString(&config, &config.executable, exe);
    if (PyStatus_Exception(status)) {
        fail("executable", status, &config);
    }
    status = PyConfig_SetBytesString(&config, &config.run_command, BOOTSTRAP);
    if (PyStatus_Exception(status)) {
        fail("bootstrap", status, &config);
    }
    status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (PyStatus_Exception(status)) {
        fail("arguments", status, &config);
    }
    status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        fail("initialisation", status, NULL);
    }
    return Py_RunMain();
}
