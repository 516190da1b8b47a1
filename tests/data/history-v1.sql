-- A history database as schema version 1 wrote it: two scans of tests/test_history.py's stack,
-- the second with the mail connection failed.
BEGIN TRANSACTION;
CREATE TABLE connections (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            connector TEXT NOT NULL,
            status TEXT NOT NULL,
            base_url TEXT NOT NULL,
            started_at TEXT,
            duration_s REAL NOT NULL,
            requests INTEGER NOT NULL,
            retries INTEGER NOT NULL,
            records TEXT NOT NULL,
            message TEXT NOT NULL,
            PRIMARY KEY (scan_id, name)
        );
INSERT INTO "connections" VALUES(1,'crm','salesforce','complete','https://crm.example','2026-11-22T11:14:57+00:00',0.0,0,0,'{}','');
INSERT INTO "connections" VALUES(1,'mail','mailchimp','complete','https://mail.example','2026-11-22T11:14:57+00:00',0.0,0,0,'{}','');
INSERT INTO "connections" VALUES(2,'crm','salesforce','complete','https://crm.example','2026-11-22T11:14:57+00:00',0.0,0,0,'{}','');
INSERT INTO "connections" VALUES(2,'mail','mailchimp','failed','https://mail.example','2026-11-22T11:14:57+00:00',0.0,0,0,'{}','mail did not answer');
CREATE TABLE documents (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            encoding TEXT NOT NULL,
            body BLOB NOT NULL,
            PRIMARY KEY (scan_id, name)
        );
INSERT INTO "documents" VALUES(1,'inventory','json+zlib',X'789CC556C1729B3010FD15866B1D07DC2669B8A69D5E9A1E3AB9753A8C0C6B500D129516DB4926FFDE1542806D92D2D4D3DE405AEDBEF7F6ADE0D14FA41090209742FBD1B7477FC934C4B52AFCC8CF112B1D9D9F27AA9CC38E955501FECC1D908A22342B40AFA44ACC465A2B66F2C49428980733BF04AD59061447BB8295E68972D18B8244AA94E21E9FCCCBCF1A349A53E6051507FBAC9129843466480717C1E2F22C0CCF168BBB308CC277D1C5D53C0C2FDEBFBD7E13045110F84D3CD6DA1491062B82FF341B2554325E3CC3C86C25392FABA984CC81D332BABA7C89D1778377038A70C419AB4CD3682903414BBF4D7D1D76A9DB13B68DC89235AB538E1E126EDA952A63823F34F429E08B54986FB948874CC92C0C89DBB246688927042193EADE2A943264165E2A4926615761C35310E41893A0775FE70DB9FC412B314F6DB896B5B157E47FFA78E79DEF1A019A3D8A8E100413188514B736E888CABD4628FBF6DC7CBD3539B744B6954A4166CB99E44D74DC9EB5D968D9BA851E3620D243A31B4F9D96776BA1A9C44DF804E6B76DD6BFA5DE4FC47F670E3B04255811E552AEF5FC81551CD49C66E379154622A729E26A8D6A62A520161BAA81AA86D99130BD142730FCAA905B074C305336D6F722F107A3604222B728A829CA0D6F2F8E89D91B0D0FA537E2139DE450C2019C8379A39B2C031CB163ABD669149A6E90A1445B589ABEFBC38169F4196C4C92A8E01ABDFED0A846E6A332C474A84727D44BEE1D8A7638610507D1734F1474F7BCA88BC28D5A0B8BEA2E0B489DE6A7BC6C079245A677856429A87D2D5D07DA52066755F5EA0E559FF905D318D77A8F4C2BFC07CAEF7D760586BA57F592BA92836A1127B202D7123BFB4756A512E6B429605D99C85AA03D7FA4F691BCB442122267852327598D798C720DE234DF33D8555C811E145D719181AA147738BB2EF470064D387360F66DFD62D75CA7BA7C933BE2B96A13C58F5BBDBB06FC1B87BFE6B33A542B6162C3C6ED6D1D6071BFC2DD376DE63FF5F5D1553B30B6BB92584C3F87BA51207CFA05723AEBE1');
INSERT INTO "documents" VALUES(2,'inventory','json+zlib',X'789CAD54C992DA3010FD1597AE61181BC852BE26A95C3239A4E6964AB984D4186564C991DA3084E2DFD3ED057B20CB859BD5EB7BAF1F1C85F2CE8142E35D14F9B7A358CB084513ACC8C516B18EF9FDBD0AD51C9E65555B10B3A1C107AA88D242DCF8A038A19B20794E4183D2793A1315C4284BA03ACA3A59F117CDA24700E583A6BAE3891F3F1B88C85DFCC060A0FB8E2803822E2452E3225DBCB9CBB2BBC5E231CBF26C95BF7E3BCF96EF56D9EA559AE6692ADA7A6C222FF18C15419C667F24544963FFC288536A6BAAFADF84B82CD14627CE63225DDC43183972F2B62497E935C90D6D012D4EDF99C00E02012B4A59F315295482A3D07F07AF96E7C17D47775794EA4936DA6082849AB23E94D2995FAD1E54F0C507DCEE8DD3539EE41E89C46CDD20F4B41541287D38741ED01265074F7B12C97551D8190D8E2CC403463B9ECDE2D73F285218DD9547DFB0DF72F1E9E36372FFDC0AD0E6A83A4770D2619E51DD13A3232A8788508DC779FFF58167EE896C2F5580B25BC7C3DBEAA2EFEDA651B8B30F7DECC0E94BE7B3C92441DED1780C0DCCAE541879DF80EBC6FAFD00D0495E5BC4835362A20297E443D0D105C270B75117AE79A14A823E79E89C3B5527AA2D547001E7426AB27009D83B7F9AE8756B15BA748635E046A62AC0D9ADAEB176B0488F8246AED9EDBDC0B7B4CC44A09C0F65BDD4EDAF799218F4EE5731CEBA1EB59C6A3C1356462C9AF8824C2FF3079A9F7C1E164C65AE9BB535710BA147AC7C0DC3053A075FA94E2BB89B179C8643C982FE09622B4576FA0D1EB0E88C');
CREATE TABLE findings (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            finding_id TEXT NOT NULL,
            check_id TEXT NOT NULL,
            category TEXT NOT NULL,
            severity INTEGER NOT NULL,
            title TEXT NOT NULL,
            waived INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (scan_id, finding_id)
        );
INSERT INTO "findings" VALUES(1,'security-plain-http:3695820d8593','security-plain-http','security',3,'security-plain-http',0,'{"category":"security","check_id":"security-plain-http","evidence":{},"id":"security-plain-http:3695820d8593","message":"security-plain-http on mail:flow:webhook","owner":"","remediation":"","resources":["mail:flow:webhook"],"severity":"high","title":"security-plain-http","waived":false,"waiver_reason":""}');
INSERT INTO "findings" VALUES(1,'unowned-system:88ab4fe3104e','unowned-system','security',2,'unowned-system',0,'{"category":"security","check_id":"unowned-system","evidence":{},"id":"unowned-system:88ab4fe3104e","message":"unowned-system on crm:tenant:1","owner":"","remediation":"","resources":["crm:tenant:1"],"severity":"medium","title":"unowned-system","waived":false,"waiver_reason":""}');
INSERT INTO "findings" VALUES(1,'shadow-it-recipient:fcc0b711ec70','shadow-it-recipient','security',3,'shadow-it-recipient',0,'{"category":"security","check_id":"shadow-it-recipient","evidence":{},"id":"shadow-it-recipient:fcc0b711ec70","message":"shadow-it-recipient on external:hooks.zapier.com","owner":"","remediation":"","resources":["external:hooks.zapier.com"],"severity":"high","title":"shadow-it-recipient","waived":false,"waiver_reason":""}');
INSERT INTO "findings" VALUES(2,'unowned-system:88ab4fe3104e','unowned-system','security',2,'unowned-system',0,'{"category":"security","check_id":"unowned-system","evidence":{},"id":"unowned-system:88ab4fe3104e","message":"unowned-system on crm:tenant:1","owner":"","remediation":"","resources":["crm:tenant:1"],"severity":"medium","title":"unowned-system","waived":false,"waiver_reason":""}');
CREATE TABLE gaps (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            connection TEXT NOT NULL,
            area TEXT NOT NULL,
            reason TEXT NOT NULL,
            error TEXT NOT NULL
        );
CREATE TABLE scans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            config TEXT NOT NULL,
            config_digest TEXT NOT NULL,
            organization TEXT NOT NULL,
            generator TEXT NOT NULL,
            started_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            status TEXT NOT NULL,
            connections INTEGER NOT NULL,
            complete_connections INTEGER NOT NULL,
            records INTEGER NOT NULL,
            findings INTEGER NOT NULL,
            unwaived INTEGER NOT NULL,
            counts TEXT NOT NULL,
            timings TEXT NOT NULL
        );
INSERT INTO "scans" VALUES(1,'../stackaudit.toml','','Northwind','stackaudit test','2026-11-22T11:14:57+00:00','2026-11-22T11:14:57+00:00','complete',2,2,8,3,3,'{"credential":1,"flow":2,"integration":2,"system":3}','{"record_s": 0.013, "scan_s": 0.002}');
INSERT INTO "scans" VALUES(2,'../stackaudit.toml','','Northwind','stackaudit test','2026-11-22T11:14:57+00:00','2026-11-22T11:14:57+00:00','partial',2,1,3,1,1,'{"flow":1,"integration":1,"system":1}','{"record_s": 0.003, "scan_s": 0.001}');
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO "schema_version" VALUES(1);
CREATE INDEX scans_by_config ON scans (config, id);
CREATE INDEX gaps_by_scan ON gaps (scan_id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('scans',2);
COMMIT;
