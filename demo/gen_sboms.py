# Generates the demo SBOMs in sboms/ (run from this folder: python3 gen_sboms.py).
# The output is committed; the binary embeds it. Everything here is fictional.
import json, hashlib, uuid
MFR = "Northwind Automation GmbH"
def h(s): return hashlib.sha256(s.encode()).hexdigest()
def cdx(spec, root, comps, deps, serial):
    def c(x):
        d = {"bom-ref": x["ref"], "type": x.get("type","library"), "name": x["name"], "version": x["version"]}
        if x.get("group"): d["group"] = x["group"]
        if x.get("supplier"): d["supplier"] = {"name": x["supplier"]}
        if x.get("purl"): d["purl"] = x["purl"]
        if x.get("cpe"): d["cpe"] = x["cpe"]
        if x.get("lic"):
            compound = any(op in x["lic"] for op in (" OR ", " AND ", " WITH ")) or x["lic"].startswith("LicenseRef-")
            d["licenses"] = [{"expression": x["lic"]}] if compound else [{"license": {"id": x["lic"]}}]
        d["hashes"] = [{"alg": "SHA-256", "content": h(x["ref"])}]
        return d
    doc = {"bomFormat": "CycloneDX", "specVersion": spec, "serialNumber": "urn:uuid:" + serial, "version": 1,
           "metadata": {"timestamp": "2025-06-15T10:00:00Z",
                        "tools": {"components": [{"type": "application", "name": "cradle-demo", "version": "1"}]} if spec != "1.4" else [{"name": "cradle-demo", "version": "1"}],
                        "component": c(root)},
           "components": [c(x) for x in comps],
           "dependencies": [{"ref": k, "dependsOn": v} for k, v in deps.items()]}
    if spec != "1.4":
        doc["metadata"]["manufacturer" if spec == "1.6" else "supplier"] = {"name": MFR, "url": ["https://northwind.example"]}
    return doc
def spdx(name, root, comps, deps, ns):
    def pid(r): return "SPDXRef-" + "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in r)
    def p(x):
        d = {"SPDXID": pid(x["ref"]), "name": x["name"], "versionInfo": x["version"], "downloadLocation": "NOASSERTION",
             "filesAnalyzed": False, "supplier": ("Organization: " + x["supplier"]) if x.get("supplier") else "NOASSERTION",
             "licenseConcluded": x.get("lic") or "NOASSERTION", "licenseDeclared": x.get("lic") or "NOASSERTION",
             "copyrightText": "NOASSERTION",
             "checksums": [{"algorithm": "SHA256", "checksumValue": h(x["ref"])}]}
        refs = []
        if x.get("purl"): refs.append({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": x["purl"]})
        if x.get("cpe"): refs.append({"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": x["cpe"]})
        if refs: d["externalRefs"] = refs
        return d
    rels = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": pid(root["ref"])}]
    for k, v in deps.items():
        for t in v:
            rels.append({"spdxElementId": pid(k), "relationshipType": "DEPENDS_ON", "relatedSpdxElement": pid(t)})
    return {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": name,
            "documentNamespace": "https://northwind.example/spdx/" + ns,
            "creationInfo": {"created": "2025-06-15T10:00:00Z", "creators": ["Organization: " + MFR, "Tool: cradle-demo-1"]},
            "packages": [p(root)] + [p(x) for x in comps], "relationships": rels}

def lib(ref, name, version, purl=None, lic=None, group=None, cpe=None, supplier=None, type="library"):
    return dict(ref=ref, name=name, version=version, purl=purl, lic=lic, group=group, cpe=cpe, supplier=supplier, type=type)

def gateway(v, ossl, curl, mosq, kernel):
    root = lib("eg200-fw", "eg200-firmware", v, type="firmware", supplier=MFR, lic="LicenseRef-Northwind-Proprietary")
    comps = [
        lib("linux", "linux", kernel, f"pkg:generic/linux@{kernel}", "GPL-2.0-only", cpe=f"cpe:2.3:o:linux:linux_kernel:{kernel}:*:*:*:*:*:*:*", type="operating-system"),
        lib("busybox", "busybox", "1.36.1", "pkg:generic/busybox@1.36.1", "GPL-2.0-only", cpe="cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"),
        lib("openssl", "openssl", ossl, f"pkg:generic/openssl@{ossl}", "Apache-2.0", cpe=f"cpe:2.3:a:openssl:openssl:{ossl}:*:*:*:*:*:*:*", supplier="OpenSSL Software Foundation"),
        lib("zlib", "zlib", "1.2.13", "pkg:generic/zlib@1.2.13", "Zlib", cpe="cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*"),
        lib("curl", "curl", curl, f"pkg:generic/curl@{curl}", "curl", cpe=f"cpe:2.3:a:haxx:curl:{curl}:*:*:*:*:*:*:*"),
        lib("mosquitto", "mosquitto", mosq, f"pkg:generic/mosquitto@{mosq}", "EPL-2.0 OR BSD-3-Clause", supplier="Eclipse Foundation"),
        lib("open62541", "open62541", "1.3.8", "pkg:github/open62541/open62541@v1.3.8", "MPL-2.0"),
        lib("mbedtls", "mbedtls", "2.28.5", "pkg:github/Mbed-TLS/mbedtls@v2.28.5", "Apache-2.0"),
        lib("dropbear", "dropbear", "2022.83", "pkg:generic/dropbear@2022.83", "MIT"),
        lib("libmodbus", "libmodbus", "3.1.10", "pkg:github/stephane/libmodbus@v3.1.10", "LGPL-2.1-or-later"),
        lib("agent", "eg-agent", v, None, "LicenseRef-Northwind-Proprietary", supplier=MFR, type="application"),
        lib("paho", "paho.mqtt.golang", "v1.4.3", "pkg:golang/github.com/eclipse/paho.mqtt.golang@v1.4.3", "EPL-2.0", group="github.com/eclipse"),
        lib("xnet", "net", "v0.17.0", "pkg:golang/golang.org/x/net@v0.17.0", "BSD-3-Clause", group="golang.org/x"),
        lib("gorilla", "websocket", "v1.5.0", "pkg:golang/github.com/gorilla/websocket@v1.5.0", "BSD-2-Clause", group="github.com/gorilla"),
        lib("protobuf", "protobuf", "v1.31.0", "pkg:golang/google.golang.org/protobuf@v1.31.0", "BSD-3-Clause", group="google.golang.org"),
        lib("stdlib", "stdlib", "go1.21.3", "pkg:golang/stdlib@go1.21.3", "BSD-3-Clause"),
    ]
    deps = {"eg200-fw": ["linux", "busybox", "openssl", "curl", "mosquitto", "open62541", "dropbear", "libmodbus", "agent"],
            "curl": ["openssl", "zlib"], "mosquitto": ["openssl"], "open62541": ["mbedtls"], "dropbear": ["zlib"],
            "agent": ["paho", "gorilla", "protobuf", "stdlib"], "paho": ["xnet", "gorilla"], "xnet": ["stdlib"]}
    return root, comps, deps

def plc(v, rtos, lwip):
    root = lib("rt4", "plc-runtime", v, type="firmware", supplier=MFR, lic="LicenseRef-Northwind-Proprietary")
    comps = [
        lib("freertos", "FreeRTOS-Kernel", rtos, f"pkg:github/FreeRTOS/FreeRTOS-Kernel@V{rtos}", "MIT", cpe=f"cpe:2.3:o:amazon:freertos:{rtos}:*:*:*:*:*:*:*", type="operating-system"),
        lib("lwip", "lwip", lwip, f"pkg:generic/lwip@{lwip}", "BSD-3-Clause"),
        lib("mbedtls", "mbedtls", "3.5.1", "pkg:github/Mbed-TLS/mbedtls@v3.5.1", "Apache-2.0"),
        lib("open62541", "open62541", "1.3.8", "pkg:github/open62541/open62541@v1.3.8", "MPL-2.0"),
        lib("iec61131", "iec61131-vm", v, None, "LicenseRef-Northwind-Proprietary", supplier=MFR),
        lib("cjson", "cJSON", "1.7.16", "pkg:github/DaveGamble/cJSON@v1.7.16", "MIT"),
        lib("littlefs", "littlefs", "2.8.1", "pkg:github/littlefs-project/littlefs@v2.8.1", "BSD-3-Clause"),
    ]
    deps = {"rt4": ["freertos", "lwip", "open62541", "iec61131", "littlefs"], "open62541": ["mbedtls", "lwip"],
            "iec61131": ["cjson"], "lwip": ["freertos"], "mbedtls": []}
    return root, comps, deps

def hmi(v, log4j, jackson, spring):
    root = lib("hmi", "hmi-studio", v, type="application", supplier=MFR, lic="LicenseRef-Northwind-Proprietary")
    m = lambda ref, g, a, ver, lic: lib(ref, a, ver, f"pkg:maven/{g}/{a}@{ver}", lic, group=g)
    comps = [
        m("log4j-core", "org.apache.logging.log4j", "log4j-core", log4j, "Apache-2.0"),
        m("log4j-api", "org.apache.logging.log4j", "log4j-api", log4j, "Apache-2.0"),
        m("jackson-databind", "com.fasterxml.jackson.core", "jackson-databind", jackson, "Apache-2.0"),
        m("jackson-core", "com.fasterxml.jackson.core", "jackson-core", jackson, "Apache-2.0"),
        m("spring-core", "org.springframework", "spring-core", spring, "Apache-2.0"),
        m("spring-web", "org.springframework", "spring-web", spring, "Apache-2.0"),
        m("netty", "io.netty", "netty-handler", "4.1.94.Final", "Apache-2.0"),
        m("milo", "org.eclipse.milo", "sdk-client", "0.6.10", "EPL-2.0"),
        m("snakeyaml", "org.yaml", "snakeyaml", "1.33", "Apache-2.0"),
        m("commons-text", "org.apache.commons", "commons-text", "1.9", "Apache-2.0"),
        m("h2", "com.h2database", "h2", "2.1.214", "MPL-2.0 OR EPL-1.0"),
    ]
    deps = {"hmi": ["log4j-core", "jackson-databind", "spring-web", "milo", "h2", "commons-text"],
            "log4j-core": ["log4j-api"], "jackson-databind": ["jackson-core"], "spring-web": ["spring-core"],
            "milo": ["netty"], "spring-core": ["snakeyaml"]}
    return root, comps, deps

out = {}
r, c, d = gateway("2.3.0", "3.0.7", "7.88.1", "2.0.15", "5.15.120")
out["eg200-2.3.0.cdx.json"] = cdx("1.5", r, c, d, "5b0c7b36-9a1e-4c52-b6de-0f6d6c0c2301")
r, c, d = gateway("2.4.1", "3.0.13", "8.4.0", "2.0.18", "6.1.55")
out["eg200-2.4.1.cdx.json"] = cdx("1.6", r, c, d, "5b0c7b36-9a1e-4c52-b6de-0f6d6c0c2411")
r, c, d = plc("4.1.0", "10.4.6", "2.1.3")
out["rt4-4.1.0.cdx.json"] = cdx("1.4", r, c, d, "7c6e3b11-2d44-4e11-9f0e-8a2b3c4d4100")
r, c, d = plc("4.2.2", "11.0.1", "2.2.0")
out["rt4-4.2.2.spdx.json"] = spdx("plc-runtime-4.2.2", r, c, d, "rt4-4.2.2")
r, c, d = hmi("7.8.0", "2.14.1", "2.12.6", "5.3.20")
out["hmi-7.8.0.cdx.json"] = cdx("1.6", r, c, d, "9a8b7c6d-1111-4222-8333-944455556780")
r, c, d = hmi("7.9.0", "2.17.1", "2.15.3", "5.3.31")
out["hmi-7.9.0.spdx.json"] = spdx("hmi-studio-7.9.0", r, c, d, "hmi-7.9.0")
for k, v in out.items():
    json.dump(v, open("sboms/" + k, "w"), indent=2)
    print(k)
