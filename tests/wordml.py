"""Minimal Word packages written from raw WordprocessingML, for the Word-content tests and the fuzz
harness: python-docx cannot write tracked changes, text boxes, fields or content controls."""
from __future__ import annotations

import io
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (f'xmlns:w="{W_NS}" '
              'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
              'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
              'xmlns:v="urn:schemas-microsoft-com:vml" '
              'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
              'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"')
DOC_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
NUM_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def p(*runs: str) -> str:
    """A paragraph of plain runs."""
    return "<w:p>" + "".join(r(t) for t in runs) + "</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def package(body: str, main: str = "word/document.xml", numbering: str | None = None) -> bytes:
    """A .docx whose main part (named `main`, found through _rels/.rels) holds `body`."""
    folder, _, name = main.rpartition("/")
    overrides = f'<Override PartName="/{main}" ContentType="{DOC_TYPE}"/>'
    doc_rels = ""
    if numbering is not None:
        overrides += f'<Override PartName="/{folder}/numbering.xml" ContentType="{NUM_TYPE}"/>'
        doc_rels = f'<Relationship Id="rIdNum" Type="{REL}/numbering" Target="numbering.xml"/>'
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="{main}"/></Relationships>'),
        f"{folder}/_rels/{name}.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{doc_rels}</Relationships>'),
        main: f'<?xml version="1.0" encoding="UTF-8"?><w:document {NAMESPACES}><w:body>{body}</w:body></w:document>',
    }
    if numbering is not None:
        files[f"{folder}/numbering.xml"] = f'<?xml version="1.0" encoding="UTF-8"?><w:numbering {NAMESPACES}>{numbering}</w:numbering>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, text in files.items():
            info = zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()
