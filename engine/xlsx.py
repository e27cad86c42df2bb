"""The rows of an XLSX file's first worksheet, streamed in bounded memory.

openpyxl builds a whole row's cells (and, read-only, pads every row to the widest) before a caller
can count them, so a small upload could unpack to hundreds of megabytes of cells. Here the zip
members' declared sizes are checked before anything is unpacked (zipfile stops at the declared
size), XML with a DTD is refused, and expat hands over one cell at a time: a cell past the column
limit, text longer than Excel allows, a tag longer than 1 MB or more elements than the limit end
the read. Values are what
openpyxl gives with data_only=True: text, int or float, bool, datetime for date-formatted numbers,
Excel error texts.
"""
import posixpath
import zipfile
from xml.parsers import expat

MAX_CELL_TEXT = 32767        # Excel's own limit for the text of a cell
MAX_TOKEN = 2**20            # bytes of one tag, comment or declaration (expat holds it whole)
ELEMENTS_PER_CELL = 4        # XML elements allowed per cell of the limit (rows, values, rich text)
_CHUNK = 64 * 1024


class Unreadable(Exception):
    """The workbook cannot be read within the limits; `de`/`en` say why, `row` where (if known)."""

    def __init__(self, de, en, row=None):
        super().__init__(en)
        self.de, self.en, self.row = de, en, row


def _local(name):
    """A tag or attribute name without its namespace prefix (`x:c` -> `c`); expat's namespace handling
    is left off, it would double the cost of every cell."""
    return name.rpartition(":")[2] if ":" in name else name


def _no_dtd(*args):
    raise Unreadable("Die Excel-Datei enthält eine DTD; so etwas schreibt Excel nicht.",
                     "The Excel file contains a DTD, which Excel never writes.")


def _parse(archive, name, handler, max_elements):
    """Feed one zip member through expat into `handler` (start/end/text); yields after each chunk
    what the handler has ready (`handler.take()`), so a caller holds one chunk's rows at a time."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    handler.elements_left = max_elements
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    fed = 0
    try:
        with archive.open(name) as member:
            while True:
                chunk = member.read(_CHUNK)
                parser.Parse(chunk, not chunk)
                fed += len(chunk)
                if fed - parser.CurrentByteIndex > MAX_TOKEN:  # expat is still inside one tag or comment
                    raise Unreadable("Die Excel-Datei enthält ein Element, das länger als 1 MB ist; so etwas schreibt "
                                     "Excel nicht.", "The Excel file holds an element longer than 1 MB, which Excel "
                                     "never writes.")
                yield from handler.take()
                if not chunk:
                    break
    except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise Unreadable(f"Die Excel-Datei lässt sich nicht lesen ({name} ist beschädigt); bitte in Excel öffnen "
                         "und neu als .xlsx speichern.",
                         f"The Excel file cannot be read ({name} is damaged); please open it in Excel and save it "
                         "again as .xlsx.") from exc


def _read_all(archive, name, handler, max_elements):
    for _ in _parse(archive, name, handler, max_elements):
        pass
    return handler


class _Collect:
    """Base handler: counts elements, hands nothing over, keeps text only while `collect`ing. A
    subclass's start/end get tag names as written (prefixed or not) and call `_local` for others."""
    elements_left = 0

    def __init__(self):
        self.parts, self.length = None, 0

    def take(self):
        return ()

    def count(self):
        self.elements_left -= 1
        if self.elements_left < 0:
            raise Unreadable("Die Excel-Datei enthält zu viele Zellen; bitte in mehrere Dateien aufteilen.",
                             "The Excel file holds too many cells; please split it.")

    def start(self, tag, attrs):
        self.count()
        self.opened(_local(tag), attrs)

    def end(self, tag):
        self.closed(_local(tag))

    def opened(self, tag, attrs):
        pass

    def closed(self, tag):
        pass

    def collect(self):
        self.parts, self.length = [], 0

    def collected(self):
        text, self.parts = "".join(self.parts or ()), None
        return text

    def text(self, data):
        if self.parts is not None:
            self.length += len(data)
            if self.length > MAX_CELL_TEXT:
                raise Unreadable(f"Eine Zelle der Excel-Datei ist länger als {MAX_CELL_TEXT} Zeichen.",
                                 f"A cell of the Excel file is longer than {MAX_CELL_TEXT} characters.")
            self.parts.append(data)


class _Workbook(_Collect):
    def __init__(self):
        super().__init__()
        self.sheets, self.date1904 = [], False

    def opened(self, tag, attrs):
        if tag == "sheet":
            self.sheets.append(next((value for name, value in attrs.items() if _local(name) == "id"), None))
        elif tag == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")


class _Relationships(_Collect):
    def __init__(self):
        super().__init__()
        self.targets = {}   # id -> (type, target)

    def opened(self, tag, attrs):
        if tag == "Relationship":
            self.targets[attrs.get("Id")] = (attrs.get("Type", ""), attrs.get("Target", ""),
                                             attrs.get("TargetMode", ""))


class _SharedStrings(_Collect):
    """Each <si>: its <t> texts joined, without phonetic runs (<rPh>), as openpyxl reads them."""
    def __init__(self, max_strings):
        super().__init__()
        self.strings, self.max_strings, self.item, self.phonetic = [], max_strings, None, 0

    def opened(self, tag, attrs):
        if tag == "si":
            self.item = []
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and self.item is not None and not self.phonetic:
            self.collect()

    def closed(self, tag):
        if tag == "t" and self.parts is not None:
            self.item.append(self.collected())
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "si":
            if len(self.strings) >= self.max_strings:
                raise Unreadable("Die Excel-Datei enthält zu viele Texte; bitte in mehrere Dateien aufteilen.",
                                 "The Excel file holds too many texts; please split it.")
            self.strings.append("".join(self.item or ()))
            self.item = None


class _Styles(_Collect):
    def __init__(self):
        super().__init__()
        self.custom, self.formats, self.in_cell_xfs = {}, [], False

    def opened(self, tag, attrs):
        if tag == "numFmt":
            self.custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            self.in_cell_xfs = True
        elif tag == "xf" and self.in_cell_xfs:
            self.formats.append(_int(attrs.get("numFmtId")))

    def closed(self, tag):
        if tag == "cellXfs":
            self.in_cell_xfs = False


def _int(text, default=0):
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


def _column(reference):
    """The column number (A = 1) of a cell reference like "AB12"; 0 if it has none."""
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
        if number > 1_000_000:
            break
    return number


class _Sheet(_Collect):
    """The rows of a worksheet as (Excel row number, values), empty cells as None, no padding past
    the last value; a value past `max_columns` ends the read."""

    def __init__(self, workbook, max_columns):
        super().__init__()
        self.book, self.max_columns = workbook, max_columns
        self.ready, self.number, self.cells, self.column = [], 0, None, 0
        self.cell, self.value, self.inline, self.phonetic = None, None, None, 0

    def take(self):
        ready, self.ready = self.ready, []
        return ready

    def start(self, tag, attrs):  # the hot path: no call it can do without
        self.elements_left -= 1
        if self.elements_left < 0:
            self.count()
        if ":" in tag:
            tag = _local(tag)
        if tag == "c" and self.cells is not None:
            reference = attrs.get("r")
            column = _column(reference) if reference else 0
            self.column = column or self.column + 1
            self.cell = (attrs.get("t", "n"), _int(attrs["s"]) if "s" in attrs else 0)
            self.value, self.inline = None, []
        elif tag == "v" and self.cell is not None:
            self.parts, self.length = [], 0
        elif tag == "row":
            self.number = _int(attrs.get("r"), self.number + 1)
            self.cells, self.column = [], 0
        elif self.cell is not None:
            if tag == "rPh":
                self.phonetic += 1
            elif tag == "t" and not self.phonetic:
                self.collect()

    def end(self, tag):
        if ":" in tag:
            tag = _local(tag)
        if tag == "v" and self.parts is not None:
            self.value = "".join(self.parts)
            self.parts = None
        elif tag == "c" and self.cell is not None:
            value = self.book.value(*self.cell, self.value, self.inline)
            self.cell = None
            if value is None or value == "":
                return
            if self.column > self.max_columns:
                raise Unreadable(
                    f"Zeile {self.number} hat einen Wert in Spalte {self.column}; gelesen werden höchstens "
                    f"{self.max_columns} Spalten. Bitte die Spalten rechts davon löschen.",
                    f"Row {self.number} has a value in column {self.column}; at most {self.max_columns} columns "
                    "are read. Please delete the columns to its right.", row=self.number)
            self.cells.extend([None] * (self.column - 1 - len(self.cells)))
            self.cells.append(value)
        elif tag == "row" and self.cells is not None:
            self.ready.append((self.number, self.cells))
            self.cells = None
        elif self.cell is not None:
            if tag == "t" and self.parts is not None:
                self.inline.append(self.collected())
            elif tag == "rPh":
                self.phonetic -= 1


class Workbook:
    """An opened XLSX: where its first worksheet is, its shared texts, which styles are dates."""

    def __init__(self, archive, max_unpacked, max_cells):
        self.archive = archive
        self.max_elements = ELEMENTS_PER_CELL * max_cells  # a cell is <c><v>, or <c><is><t>, or more
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > max_unpacked:
            raise Unreadable(
                f"Die Excel-Datei ist entpackt {unpacked // 2**20} MB groß (höchstens {max_unpacked // 2**20} MB); "
                "bitte in mehrere Dateien aufteilen.",
                f"The Excel file unpacks to {unpacked // 2**20} MB (at most {max_unpacked // 2**20} MB); "
                "please split it.")
        names = set(archive.namelist())
        book = _read_all(archive, "xl/workbook.xml", _Workbook(), self.max_elements)
        relations = {}
        if "xl/_rels/workbook.xml.rels" in names:
            relations = _read_all(archive, "xl/_rels/workbook.xml.rels", _Relationships(), self.max_elements).targets
        sheets = [self._target(relations[rid]) for rid in book.sheets
                  if rid in relations and relations[rid][0].endswith("/worksheet")]
        if not sheets:
            raise Unreadable("Die Excel-Datei enthält kein Tabellenblatt.", "The Excel file has no worksheet.")
        self.sheet = sheets[0]
        if self.sheet not in names:
            raise Unreadable("Das erste Tabellenblatt fehlt in der Excel-Datei.",
                             "The first worksheet is missing from the Excel file.")
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900
        self.epoch = CALENDAR_MAC_1904 if book.date1904 else CALENDAR_WINDOWS_1900
        parts = {kind.rpartition("/")[2]: self._target((kind, target, mode))
                 for kind, target, mode in relations.values()}
        strings = parts.get("sharedStrings", "xl/sharedStrings.xml")
        self.strings = (_read_all(archive, strings, _SharedStrings(max_cells), self.max_elements).strings
                        if strings in names else [])
        styles = parts.get("styles", "xl/styles.xml")
        self.dates, self.durations = self._date_styles(
            _read_all(archive, styles, _Styles(), self.max_elements) if styles in names else _Styles())

    @staticmethod
    def _target(relation):
        _, target, mode = relation
        if mode == "External":
            return ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        return posixpath.normpath(path)

    @staticmethod
    def _date_styles(styles):
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
        dates, durations = set(), set()
        for index, format_id in enumerate(styles.formats):
            code = styles.custom.get(format_id) or BUILTIN_FORMATS.get(format_id, "General")
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
        return dates, durations

    def value(self, kind, style, text, inline):
        """A cell's value as openpyxl reads it with data_only=True."""
        if kind == "inlineStr":
            return "".join(inline) if inline else None
        if not text:
            return None
        if kind == "s":
            index = _int(text, -1)
            if not 0 <= index < len(self.strings):
                raise Unreadable("Die Excel-Datei verweist auf einen Text, den sie nicht enthält.",
                                 "The Excel file refers to a text it does not contain.")
            return self.strings[index]
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind in ("str", "e"):
            return text
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601
            try:
                return from_ISO8601(text)
            except ValueError:
                return text
        try:
            number = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
        except ValueError:
            return text
        if style in self.dates:
            from openpyxl.utils.datetime import from_excel
            try:
                return from_excel(number, self.epoch, timedelta=style in self.durations)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number

    def rows(self, max_columns):
        """(Excel row number, values) of the first worksheet, read a chunk at a time."""
        return _parse(self.archive, self.sheet, _Sheet(self, max_columns), self.max_elements)
