# awsemu — one plain Makefile. Targets: all run test demo bench asan fuzz deps clean
# make run PORT=5000 DATA=/tmp/state ARGS="--iam enforce"   (PORT, DATA and HOST
# default to $AWSEMU_PORT, $AWSEMU_DATA_DIR, $AWSEMU_HOST, else 4566, ./data,
# 127.0.0.1); JOBS=N sets the build's parallelism (default: nproc).
CC      ?= cc
PKGS    := libevent openssl sqlite3 libcjson expat
# Libraries only rare operations need live in plugins beside the binary,
# loaded at first use (base/plugin.h), so they are not mapped at idle:
# <BIN>-saml.so (AssumeRoleWithSAML) and <BIN>-qr.so (virtual MFA QR PNGs).
SAML_PKGS := xmlsec1-openssl
QR_PKGS   := libqrencode libpng libcrypto
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
BIN     ?= bin/awsemu
HOST    ?= $(or $(AWSEMU_HOST),127.0.0.1)
PORT    ?= $(or $(AWSEMU_PORT),4566)
DATA    ?= $(or $(AWSEMU_DATA_DIR),./data)
ARGS    ?=
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)

# a parallel build unless the command line says -j (sub-makes share the
# top make's job slots)
ifeq ($(MAKELEVEL)$(filter -j%,$(MAKEFLAGS)),0)
MAKEFLAGS += -j$(JOBS)
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) -g \
           -I. $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm
# packed relative relocations (DT_RELR, binutils >= 2.38, glibc >= 2.36):
# the PIE's 88 KiB of R_X86_64_RELATIVE entries become ~2 KiB that the
# loader reads at start (idle RSS); left out where the toolchain lacks it
RELR    := $(shell printf 'int main(void){return 0;}' | $(CC) -x c - -o /dev/null \
             -Wl,-z,pack-relative-relocs 2>/dev/null && echo -Wl,-z,pack-relative-relocs)
LDFLAGS += $(RELR)
PLUGINS := $(BIN)-saml.so $(BIN)-qr.so
# a plugin: position-independent, only its entry symbol exported, every
# symbol resolved at link time (not checked in sanitizer builds: clang leaves
# the sanitizer runtime's symbols to the binary)
PLUGIN_CFLAGS := -fPIC -fvisibility=hidden
PLUGIN_LDFLAGS := -shared $(if $(SAN),,-Wl,-z,defs)
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(filter-out emulator/main.c,$(wildcard base/*.c storage/*.c authz/*.c emulator/*.c services/*.c services/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/migrations.o $(BUILD)/schema.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
MIGRATIONS := $(sort $(wildcard storage/migrations/*.sql))

.PHONY: all run test unit bench asan fuzz deps test-deps demo-deps bench-deps demo clean
all: $(BIN) $(PLUGINS)

$(BIN): $(BUILD)/emulator/main.o $(BUILD)/libawsemu.a
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)-saml.so: services/iam/plugin/saml_xmlsec.c services/iam/sts_saml_plugin.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PLUGIN_CFLAGS) $(shell pkg-config --cflags $(SAML_PKGS)) \
		$(LDFLAGS) $(PLUGIN_LDFLAGS) -o $@ $< $(shell pkg-config --libs $(SAML_PKGS))

$(BIN)-qr.so: services/iam/plugin/qr_png.c services/iam/iam_qr_plugin.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PLUGIN_CFLAGS) $(shell pkg-config --cflags $(QR_PKGS)) \
		$(LDFLAGS) $(PLUGIN_LDFLAGS) -o $@ $< $(shell pkg-config --libs $(QR_PKGS))

$(BUILD)/libawsemu.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard base/*.h storage/*.h authz/*.h emulator/*.h services/*.h services/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# SQL migrations are compiled into the binary: storage/migrations/NNN_*.sql
$(BUILD)/migrations.c: $(MIGRATIONS) scripts/embed-sql.sh
	@mkdir -p $(BUILD)
	sh scripts/embed-sql.sh $(MIGRATIONS) > $@
$(BUILD)/migrations.o: $(BUILD)/migrations.c
	$(CC) $(CFLAGS) -c -o $@ $<
# ... and the schema they leave, which a fresh store creates in one step
$(BUILD)/schema-snapshot: scripts/schema-snapshot.c $(BUILD)/migrations.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/schema.c: $(BUILD)/schema-snapshot
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/schema-snapshot > $@.tmp && mv $@.tmp $@
$(BUILD)/schema.o: $(BUILD)/schema.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libawsemu.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libawsemu.a $(LDLIBS)

# Fuzz targets built with a plain main() that replays the corpus (make test);
# `make fuzz` builds them with libFuzzer instead.
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libawsemu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/libawsemu.a $(LDLIBS)

unit: $(UNIT_BIN) $(FUZZ_REPLAY) $(BIN) $(PLUGINS)

deps:
	@sh scripts/install-deps.sh

test-deps:
	@sh scripts/install-deps.sh --test

demo-deps:
	@sh scripts/install-deps.sh --demo

bench-deps: test-deps
	@sh scripts/install-deps.sh --bench

# stays in the foreground (Ctrl-C stops it): run clients in a second terminal
run: deps
	@$(MAKE) --no-print-directory all
	./bin/awsemu --host $(HOST) --port $(PORT) --data-dir $(DATA) $(ARGS)

test: test-deps
	@$(MAKE) --no-print-directory unit
	@sh scripts/test.sh $(BUILD)

asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build-asan BIN=bin/awsemu-asan SAN=1 OPT=-O1 unit
	@ASAN_OPTIONS=detect_leaks=1 AWSEMU_SANITIZED=1 AWSEMU_BIN=bin/awsemu-asan \
		sh scripts/test.sh build-asan

# The reference stack end to end on a throw-away awsemu (scripts/demo.py);
# exits non-zero when any step does not behave as it says.
demo: demo-deps
	@$(MAKE) --no-print-directory all
	@PY=python3; python3 -c 'import boto3' 2>/dev/null || PY=/usr/bin/python3; \
		$$PY scripts/demo.py

bench: bench-deps
	@$(MAKE) --no-print-directory all
	@sh scripts/bench.sh

fuzz: deps
	@sh scripts/fuzz.sh

clean:
	rm -rf build build-asan build-fuzz bin
