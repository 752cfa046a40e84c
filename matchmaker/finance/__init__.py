"""科技金融驿站 (policy measure 6): financial products for technology firms, imported like the other
records and matched to needs and achievements by stage, amount and industry, with reasons."""
