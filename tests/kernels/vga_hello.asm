; SPDX-License-Identifier: MIT
;
; vga_hello.asm - test kernel: the VGA text screen and the PS/2 keyboard.
;
; Writes coloured text straight into the colour text window at 0xB8000
; (a character byte, then an attribute byte: foreground in bits 0-3,
; background in 4-6), moves the hardware cursor with the CRT controller's
; cursor location registers (index 0x0E/0x0F at port 0x3D4, data 0x3D5),
; then takes keyboard interrupts (IRQ1 through the 8259A pair) and, for
; every scan code the 8042 hands over at port 0x60, prints "key XX" on
; COM1 (which the tests point at a file with --serial) and the code in
; hex on the screen.  The Esc key's make code (0x01) ends it with V = 0
; (status 1).
;
; What the screen shows:
;   row 0: "Hello, VGA" red on blue (attribute 0x14)
;   row 1: "CP437: " and a double-line box corner, bar, corner, yellow on black
;   row 3: the scan codes received, in hex
;   the cursor at row 2, column 5
;
; Serial output:
;   vga_hello: ready
;   key 1e
;   ...

%include "layout.inc"
%include "pm_entry.inc"
%include "serial.inc"
%include "debug_exit.inc"
%include "idt.inc"
%include "pic8259.inc"
%include "irq.inc"

VGA_TEXT        equ 0xb8000
VGA_COLS        equ 80
CRTC_INDEX      equ 0x3d4
CRTC_DATA       equ 0x3d5
CRTC_CURSOR_HI  equ 0x0e
CRTC_CURSOR_LO  equ 0x0f
KBD_DATA        equ 0x60
KBD_IRQ         equ 1
SC_ESC          equ 0x01
CURSOR_ROW      equ 2
CURSOR_COL      equ 5
KEYS_ROW        equ 3
RING_SIZE       equ 64                  ; a power of two

[section .bss]
alignb 4
ring:           resb RING_SIZE          ; scan codes from the IRQ1 handler
ring_head:      resd 1                  ; written by the handler only
ring_tail:      resd 1                  ; written by the main loop only
screen_pos:     resd 1                  ; next cell of the key row
__SECT__

section .text32
bits 32

; put_string: ESI = string, EDI = cell address, AH = attribute.  Advances EDI.
put_string:
        lodsb
        test    al, al
        jz      .done
        stosw
        jmp     put_string
.done:
        ret

; put_hex8: AL as two hex digits at EDI (attribute 0x0a), then a space.
put_hex8:
        push    eax
        push    ecx
        mov     cl, al
        mov     ah, 0x0a                ; light green on black
        shr     al, 4
        call    .nibble
        mov     al, cl
        and     al, 0x0f
        call    .nibble
        mov     al, ' '
        stosw
        pop     ecx
        pop     eax
        ret
.nibble:
        add     al, '0'
        cmp     al, '9'
        jbe     .store
        add     al, 'a' - ('9' + 1)
.store:
        stosw
        ret

pm_main:
        call    serial_init
        ; The screen: row 0 red on blue, row 1 CP437 box drawing in yellow.
        mov     edi, VGA_TEXT
        mov     ah, 0x14
        mov     esi, msg_hello
        call    put_string
        mov     edi, VGA_TEXT + 2 * VGA_COLS
        mov     ah, 0x0e
        mov     esi, msg_cp437
        call    put_string
        mov     dword [screen_pos], VGA_TEXT + 2 * VGA_COLS * KEYS_ROW

        ; The cursor: its location is a cell index, high byte then low byte,
        ; each through the CRTC's index and data ports.
        mov     dx, CRTC_INDEX
        mov     al, CRTC_CURSOR_HI
        out     dx, al
        mov     dx, CRTC_DATA
        mov     al, (CURSOR_ROW * VGA_COLS + CURSOR_COL) >> 8
        out     dx, al
        mov     dx, CRTC_INDEX
        mov     al, CRTC_CURSOR_LO
        out     dx, al
        mov     dx, CRTC_DATA
        mov     al, (CURSOR_ROW * VGA_COLS + CURSOR_COL) & 0xff
        out     dx, al

        ; The keyboard's interrupt: IDT, PICs, IRQ1 unmasked.  The 8042
        ; comes up as a BIOS leaves it (translation to set 1, IRQ1 on).
        mov     dword [ring_head], 0
        mov     dword [ring_tail], 0
        call    idt_init
        call    irq_init
        mov     eax, KBD_IRQ
        mov     ebx, kbd_handler
        call    irq_set_handler
        call    pic_init
        mov     eax, KBD_IRQ
        call    pic_unmask
        mov     esi, msg_ready
        call    serial_puts

.wait:
        cli                             ; check and sleep without a gap (see ticks.asm)
        mov     eax, [ring_tail]
        cmp     eax, [ring_head]
        jne     .key
        sti
        hlt
        jmp     .wait
.key:
        sti
        and     eax, RING_SIZE - 1
        movzx   ebx, byte [ring + eax]
        inc     dword [ring_tail]
        mov     esi, msg_key
        call    serial_puts
        mov     eax, ebx
        call    serial_put_hex8
        mov     al, NL
        call    serial_putc
        mov     edi, [screen_pos]
        mov     eax, ebx
        call    put_hex8
        cmp     edi, VGA_TEXT + 2 * VGA_COLS * (KEYS_ROW + 1) - 6
        jb      .keep
        mov     edi, VGA_TEXT + 2 * VGA_COLS * KEYS_ROW
.keep:
        mov     [screen_pos], edi
        cmp     ebx, SC_ESC
        jne     .wait
        mov     esi, msg_bye
        call    serial_puts
        DEBUG_EXIT EXIT_PASS

; IRQ1: take the byte the 8042 holds (that lowers IRQ1), queue it, EOI.
kbd_handler:
        in      al, KBD_DATA
        mov     ecx, [ring_head]
        mov     edx, ecx
        sub     edx, [ring_tail]
        cmp     edx, RING_SIZE
        jae     .full                   ; the main loop is behind: drop it
        and     ecx, RING_SIZE - 1
        mov     [ring + ecx], al
        inc     dword [ring_head]
.full:
        mov     eax, KBD_IRQ
        call    pic_eoi
        ret

msg_hello:      db "Hello, VGA", 0
msg_cp437:      db "CP437: ", 0xc9, 0xcd, 0xbb, 0
msg_ready:      db "vga_hello: ready", NL, 0
msg_key:        db "key ", 0
msg_bye:        db "vga_hello: Esc, bye", NL, 0
